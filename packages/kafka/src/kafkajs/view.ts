import { randomUUID } from 'node:crypto';
import type { HealthVerdict } from '@hookline/core';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { CatchUpTimeoutError, ViewNotRunningError } from '../errors.js';
import type { LogRecord, RecordPosition, TopicView } from '../port.js';
import type { AdminSession } from './admin.js';
import { ConsumerHealth } from './consumer-health.js';
import { toLogRecord } from './records.js';

interface Waiter {
  partition: number;
  offset: bigint;
  resolve: () => void;
}

/**
 * Reads a (compacted) topic from offset 0 into whatever `apply` folds it into, and lets callers wait until a
 * given offset has been applied: that is how a service gets read-your-writes on its own writes, and how fanout
 * makes sure it has seen every config change that happened before an event.
 */
export class KafkaTopicView implements TopicView {
  private readonly applied = new Map<number, bigint>();
  private waiters: Waiter[] = [];
  private consumer: Consumer | undefined;
  private consumerHealth: ConsumerHealth | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: AdminSession,
    private readonly topic: string,
    private readonly apply: (record: LogRecord) => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // Views never commit: a throwaway group per process, always starting from the beginning.
    const consumer = this.kafka.consumer({ groupId: `hookline-view-${randomUUID()}`, allowAutoTopicCreation: false });
    this.consumer = consumer;
    this.consumerHealth = new ConsumerHealth(consumer, `${this.topic} view`);
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const record = toLogRecord(this.topic, partition, message);
        try {
          this.apply(record);
        } catch (error) {
          this.logger.error({ err: error, topic: this.topic, key: record.key }, 'skipping unreadable record');
        }
        this.markApplied(partition, record.offset);
      },
    });
    await this.catchUp();
  }

  /**
   * `down` when the view's consumer crashed or stopped; `degraded` when it does not catch up with the topic's
   * end within `withinMs` (the service works on stale data). A healthy view catches up in milliseconds.
   */
  async health(withinMs = 2_000): Promise<HealthVerdict> {
    const consumer = this.consumerHealth?.check() ?? { status: 'down', reason: `${this.topic} view not started` };
    if (consumer.status !== 'ok') return consumer;
    try {
      await this.catchUp(withinMs);
      return { status: 'ok' };
    } catch (error) {
      return { status: 'degraded', reason: `${this.topic} view not caught up: ${(error as Error).message}` };
    }
  }

  /**
   * Waits until every record written to the topic before this call has been applied. Concurrent callers share
   * work: while one catch-up runs, later callers share the single one queued behind it (which fetches end
   * offsets after they called), so a burst of misses costs two broker round trips, not one each.
   */
  catchUp(timeoutMs = 30_000): Promise<void> {
    if (!this.consumer) return Promise.reject(new ViewNotRunningError(`${this.topic} view is not started`));
    if (!this.running) {
      this.running = this.catchUpOnce(timeoutMs).finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.catchUp(timeoutMs);
      });
    return this.queued;
  }

  private async catchUpOnce(timeoutMs: number): Promise<void> {
    const offsets = await this.admin.endOffsets(this.topic, timeoutMs);
    await Promise.all(
      offsets
        .filter((o) => o.high > o.low)
        .map((o) => this.waitFor({ topic: this.topic, partition: o.partition, offset: o.high - 1n }, timeoutMs)),
    );
  }

  waitFor(position: RecordPosition, timeoutMs = 30_000): Promise<void> {
    const { partition, offset } = position;
    if ((this.applied.get(partition) ?? -1n) >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new CatchUpTimeoutError(`${this.topic}[${partition}] did not reach offset ${offset} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        partition,
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private markApplied(partition: number, offset: bigint): void {
    this.applied.set(partition, offset);
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.partition === partition && w.offset <= offset) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
