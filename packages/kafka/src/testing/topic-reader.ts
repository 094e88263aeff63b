import type { EventLog, LogRecord, RunningConsumer } from '../port.js';

/**
 * Test aid: everything written to some topics, read by a consumer group of its own, with waits on what has arrived
 * (checked each time a batch comes in: no polling, no sleeps).
 */
export class TopicReader {
  readonly records: LogRecord[] = [];
  private waiters: { done: () => boolean; resolve: () => void }[] = [];

  private constructor(private consumer?: RunningConsumer) {}

  static async start(log: EventLog, topics: string[], groupId = `reader-${topics.join('-')}`): Promise<TopicReader> {
    const reader = new TopicReader();
    reader.consumer = await log.consume({
      groupId,
      topics,
      onBatch: async (batch) => {
        reader.records.push(...batch.records);
        const done = reader.waiters.filter((w) => w.done());
        reader.waiters = reader.waiters.filter((w) => !done.includes(w));
        for (const w of done) w.resolve();
      },
    });
    return reader;
  }

  of(topic: string): LogRecord[] {
    return this.records.filter((r) => r.topic === topic);
  }

  /** Resolves once `done` holds for what has been read. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  /** Resolves once `count` records of `topic` have been read, with them. */
  async read(topic: string, count: number): Promise<LogRecord[]> {
    await this.until(() => this.of(topic).length >= count);
    return this.of(topic);
  }

  stop(): Promise<void> {
    return this.consumer!.stop();
  }
}

/** A record's value as JSON. */
export function recordJson<T>(record: LogRecord): T {
  return JSON.parse(record.value!.toString('utf8')) as T;
}
