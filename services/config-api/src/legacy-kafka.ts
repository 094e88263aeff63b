import type { ConfigView, KafkaClient, Producer } from '@hookline/kafka';
import type { ConfigAccess, LogRecord, PartitionRange, RecordPublisher, TimeRangeReader } from './ports.js';

/*
 * Bridges from today's `@hookline/kafka` (kafkajs objects) to the port's shapes that config-api is written
 * against, until branch wt-kafka lands `connectEventLog` and `@hookline/config`; then `main.ts` takes those
 * and this file goes.
 */

export function producerPublisher(producer: Producer): RecordPublisher {
  return {
    async publish(batches) {
      await producer.sendBatch({ acks: -1, topicMessages: batches.map((b) => ({ topic: b.topic, messages: b.records })) });
    },
  };
}

export function configAccess(view: ConfigView, producer: Producer): ConfigAccess {
  return {
    get state() {
      return view.state;
    },
    authenticate: (authorization) => view.authenticate(authorization),
    readFresh: (read) => view.readFresh(read),
    write: (_publisher, key, value) => view.write(producer, key, value),
  };
}

export function kafkaTimeRangeReader(kafka: KafkaClient): TimeRangeReader {
  return {
    async offsetsForTime(topic, sinceMs, untilMs) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = await admin.fetchTopicOffsets(topic);
        const high = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
        // An offset of -1 means no record at or after the time: the range starts (or ends) at the log end.
        const at = async (ms: number) =>
          new Map((await admin.fetchTopicOffsetsByTimestamp(topic, ms)).map((p) => [p.partition, p.offset === '-1' ? high.get(p.partition)! : BigInt(p.offset)]));
        const starts = await at(sinceMs);
        const stops = untilMs === undefined ? high : await at(untilMs);
        return [...high.keys()].map((partition) => ({ partition, start: starts.get(partition)!, end: stops.get(partition)! }));
      } finally {
        await admin.disconnect();
      }
    },
    async readRanges(topic, ranges: PartitionRange[], onRecords) {
      const work = ranges.filter((r) => r.start < r.end);
      if (work.length === 0) return;
      const position = new Map(work.map((r) => [r.partition, r.start]));
      const finished = () => work.every((r) => position.get(r.partition)! >= r.end);
      const consumer = kafka.consumer({ groupId: `hookline-recover-${Date.now()}-${Math.random().toString(36).slice(2)}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
      let settle!: () => void;
      const done = new Promise<void>((resolve) => (settle = resolve));
      await consumer.connect();
      await consumer.subscribe({ topic });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = work.find((r) => r.partition === batch.partition);
          if (!range) return;
          const records: LogRecord[] = [];
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < range.start || offset >= range.end) continue;
            position.set(batch.partition, offset + 1n);
            records.push({ partition: batch.partition, offset, value: message.value });
          }
          // Records past the range's end (written after it) also mean this partition is finished.
          const next = BigInt(batch.lastOffset()) + 1n;
          if (batch.messages.length && next > position.get(batch.partition)!) position.set(batch.partition, next);
          if (records.length) await onRecords(records);
          if (finished()) settle();
        },
      });
      for (const r of work) consumer.seek({ topic, partition: r.partition, offset: r.start.toString() });
      await done;
      await consumer.disconnect();
    },
  };
}
