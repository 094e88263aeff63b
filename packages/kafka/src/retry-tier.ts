import type { Consumer, Message } from 'kafkajs';
import type { Logger } from 'pino';
import { groupConsumer, type KafkaClient, type Producer } from './client.js';

export interface DelayedRecord {
  /** When the record may move on (epoch ms). */
  dueAt: number;
}

export interface RetryTierOptions {
  kafka: KafkaClient;
  producer: Producer;
  groupId: string;
  /** The tier topics, each holding records in (roughly) the order they fall due. */
  topics: string[];
  /** Where due records go. */
  destination: string;
  dueAt: (value: Buffer) => number;
  logger: Logger;
  onForwarded?: (topic: string, lagMs: number) => void;
}

/**
 * Moves records from delay topics to `destination` when they fall due. It never sleeps per record: when the
 * head of a partition is not due, the partition is paused until that moment and resumed by a timer, so a
 * topic of one-hour retries costs nothing while it waits. Records of one tier topic are due in the order they
 * were written (same delay added to the time of writing), so waiting on the head delays nobody.
 */
export async function startRetryTierForwarder(options: RetryTierOptions): Promise<Consumer> {
  const { kafka, producer, groupId, topics, destination, dueAt, logger } = options;
  const consumer = groupConsumer(kafka, groupId, { maxWaitTimeInMs: 1_000 });
  const timers = new Set<NodeJS.Timeout>();
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  consumer.on(consumer.events.STOP, () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, pause, isRunning, isStale }) => {
      const due: Message[] = [];
      let lastDueOffset: string | undefined;
      let waitUntil: number | undefined;
      let waitOffset: string | undefined;
      const now = Date.now();
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const at = message.value ? safeDueAt(dueAt, message.value) : now;
        if (at > now) {
          waitUntil = at;
          waitOffset = message.offset;
          break;
        }
        due.push({ key: message.key, value: message.value, headers: message.headers });
        lastDueOffset = message.offset;
        options.onForwarded?.(batch.topic, now - at);
      }
      if (due.length) {
        await producer.send({ topic: destination, acks: -1, messages: due });
        resolveOffset(lastDueOffset!);
        await commitOffsetsIfNecessary();
      }
      if (waitUntil !== undefined) {
        // Re-read from the record that is not due yet once the partition resumes.
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: waitOffset! });
        const resume = pause();
        const timer = setTimeout(() => {
          timers.delete(timer);
          resume();
        }, waitUntil - Date.now());
        timers.add(timer);
        logger.debug(
          { topic: batch.topic, partition: batch.partition, resumeInMs: waitUntil - Date.now() },
          'tier paused until head is due',
        );
      }
      await heartbeat();
    },
  });
  return consumer;
}

function safeDueAt(dueAt: (value: Buffer) => number, value: Buffer): number {
  try {
    return dueAt(value);
  } catch {
    return 0; // unreadable: forward now and let the destination's consumer deal with it
  }
}
