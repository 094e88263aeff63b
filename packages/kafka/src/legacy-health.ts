import type { HealthVerdict } from '@hookline/core';
import type { Consumer, Kafka, Producer } from 'kafkajs';

/** @deprecated The port's consumers report their own health. */
const tracked = new WeakMap<Consumer, () => HealthVerdict>();

/** The health of a consumer made by `groupConsumer` (or `TopicView`), which track theirs from creation on. */
export function consumerHealthOf(consumer: Consumer): () => HealthVerdict {
  return tracked.get(consumer) ?? (() => ({ status: 'ok' }));
}

/**
 * Follows a consumer's lifecycle events: `down` after a crash it will not recover from or after it stopped,
 * `degraded` while it (re)joins its group, `ok` once it has partitions to work on (or an empty assignment).
 */
export function consumerHealth(consumer: Consumer, name: string): () => HealthVerdict {
  let verdict: HealthVerdict = { status: 'degraded', reason: `${name}: joining its consumer group` };
  const { CRASH, GROUP_JOIN, REBALANCING, STOP } = consumer.events;
  consumer.on(GROUP_JOIN, () => (verdict = { status: 'ok' }));
  consumer.on(REBALANCING, () => (verdict = { status: 'degraded', reason: `${name}: rebalancing` }));
  consumer.on(CRASH, ({ payload }) => {
    const message = payload.error?.message ?? 'unknown error';
    verdict = payload.restart
      ? { status: 'degraded', reason: `${name}: restarting after a crash: ${message}` }
      : { status: 'down', reason: `${name}: crashed: ${message}` };
  });
  consumer.on(STOP, () => (verdict = { status: 'down', reason: `${name}: stopped` }));
  const check = () => verdict;
  tracked.set(consumer, check);
  return check;
}

/** `down` while the producer is disconnected (kafkajs reconnects by itself; until then nothing can be written). */
export function producerHealth(producer: Producer): () => HealthVerdict {
  let connected = true; // checked after connect() resolved
  producer.on(producer.events.CONNECT, () => (connected = true));
  producer.on(producer.events.DISCONNECT, () => (connected = false));
  return () => (connected ? { status: 'ok' } : { status: 'down', reason: 'producer disconnected' });
}

/** @deprecated Lag through the port: `log.groupLag`. */
export async function legacyGroupLag(kafka: Kafka, groupId: string, topics: string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const lag = new Map<string, number>();
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      let behind = 0;
      for (const end of ends) {
        const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        behind += Math.max(0, Number(end.high) - (offset < 0 ? Number(end.low) : offset));
      }
      lag.set(topic, behind);
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
