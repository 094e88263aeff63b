import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { LogRecord, PartitionRange } from '../port.js';
import { toLogRecord } from './records.js';

/**
 * Reads offset ranges of a topic with a throwaway group that never commits: the consumer is seeked to each
 * range's start and stops once every range is read (a record at or past a range's end, written later, also
 * ends it). Records before a range's start (read before the seek took effect) are skipped.
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: PartitionRange[],
  onRecords: (records: LogRecord[]) => Promise<void>,
  /** Deletes the throwaway group once read (left alone, the broker lists it until its offsets-retention sweep). */
  deleteGroup: (groupId: string) => Promise<void> = async () => {},
): Promise<void> {
  const work = ranges.filter((r) => r.start < r.end);
  if (work.length === 0) return;
  const position = new Map(work.map((r) => [r.partition, r.start]));
  const end = new Map(work.map((r) => [r.partition, r.end]));
  const finished = () => work.every((r) => position.get(r.partition)! >= r.end);
  const groupId = `hookline-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const from = position.get(batch.partition);
        const until = end.get(batch.partition);
        if (from === undefined || until === undefined || from >= until) return;
        const records: LogRecord[] = [];
        let next = from;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset < next) continue;
          next = offset + 1n;
          if (offset >= until) break;
          records.push(toLogRecord(topic, batch.partition, message));
        }
        try {
          if (records.length > 0) await onRecords(records);
        } catch (error) {
          settle(error);
          return;
        }
        position.set(batch.partition, next);
        if (next > until) position.set(batch.partition, until);
        if (finished()) settle();
      },
    });
    for (const r of work) consumer.seek({ topic, partition: r.partition, offset: r.start.toString() });
    await done;
  } finally {
    await consumer.disconnect();
    await deleteGroup(groupId).catch(() => undefined);
  }
}
