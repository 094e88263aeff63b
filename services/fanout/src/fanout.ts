import { eventEnvelope, type TopicNames } from '@hookline/core';
import { groupConsumer, type ConfigView, type KafkaClient, type Producer } from '@hookline/kafka';
import type { Message } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { planDeliveries } from './plan.js';

export interface FanoutDeps {
  kafka: KafkaClient;
  topics: TopicNames;
  config: ConfigView;
  producer: Producer;
  logger: Logger;
  metrics: Registry;
  groupId: string;
}

/**
 * Consumes `events` and emits delivery tasks. A batch's offsets are committed only after its tasks are on the
 * broker, so a crash replays the batch; delivery ids are deterministic, so the replay produces the same ids.
 */
export async function startFanout({ kafka, topics, config, producer, logger, metrics, groupId }: FanoutDeps) {
  const eventsSeen = new Counter({ name: 'hookline_fanout_events_total', help: 'Events fanned out', registers: [metrics] });
  const tasksOut = new Counter({ name: 'hookline_fanout_tasks_total', help: 'Delivery tasks emitted', registers: [metrics] });
  const rejectedOut = new Counter({ name: 'hookline_fanout_rejected_total', help: 'Unreadable events sent to rejected', registers: [metrics] });

  const consumer = groupConsumer(kafka, groupId);
  await consumer.connect();
  await consumer.subscribe({ topic: topics.events, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      if (batch.messages.length === 0) return;
      // Every endpoint created before these events were accepted must be in the index: catch up first.
      await config.catchUp();
      const deliveries: Message[] = [];
      const rejected: Message[] = [];
      for (const message of batch.messages) {
        const event = parseEvent(message.value);
        if (!event.ok) {
          rejected.push({ key: message.key, value: JSON.stringify({ reason: event.reason, topic: batch.topic, partition: batch.partition, offset: message.offset, value: message.value?.toString('base64') ?? null }) });
          continue;
        }
        for (const task of planDeliveries(event.value, config.state)) {
          deliveries.push({ key: task.endpointId, value: JSON.stringify(task) });
        }
      }
      const sends = [];
      if (deliveries.length) sends.push({ topic: topics.deliveries, messages: deliveries });
      if (rejected.length) sends.push({ topic: topics.rejected, messages: rejected });
      if (sends.length) await producer.sendBatch({ acks: -1, topicMessages: sends });
      eventsSeen.inc(batch.messages.length - rejected.length);
      tasksOut.inc(deliveries.length);
      rejectedOut.inc(rejected.length);
      if (rejected.length) logger.warn({ count: rejected.length }, 'rejected unreadable events');
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });
  return consumer;
}

function parseEvent(value: Buffer | null): { ok: true; value: ReturnType<typeof eventEnvelope.parse> } | { ok: false; reason: string } {
  if (!value) return { ok: false, reason: 'empty record' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = eventEnvelope.safeParse(json);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: `invalid envelope: ${result.error.issues[0]?.message}` };
}
