import { randomUUID } from 'node:crypto';
import type { HealthVerdict } from '@hookline/core';
import type { Admin, Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaClient } from './client.js';
import { consumerHealth } from './legacy-health.js';

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
export class TopicView {
  private readonly applied = new Map<number, bigint>();
  private waiters: Waiter[] = [];
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly topic: string,
    private readonly apply: (key: string, value: Buffer | null) => void,
    private readonly logger: Logger,
  ) {}

  /** Starts consuming and resolves once everything present at start has been applied. */
  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // Views never commit: a throwaway group per process, always starting from the beginning.
    this.consumer = this.kafka.consumer({ groupId: `hookline-view-${randomUUID()}`, allowAutoTopicCreation: false });
    this.consumerVerdict = consumerHealth(this.consumer, `${this.topic} view`);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const key = message.key?.toString() ?? '';
        try {
          this.apply(key, message.value);
        } catch (error) {
          this.logger.error({ err: error, topic: this.topic, key }, 'skipping unreadable record');
        }
        this.markApplied(partition, BigInt(message.offset));
      },
    });
    await this.catchUp();
  }

  private consumerVerdict: (() => HealthVerdict) | undefined;

  /**
   * `down` when the view's consumer crashed or stopped; `degraded` when it does not catch up with the topic's
   * end within `withinMs` (the service works on stale data). A healthy view catches up in milliseconds.
   */
  async health(withinMs = 2_000): Promise<HealthVerdict> {
    const consumer = this.consumerVerdict?.() ?? { status: 'down', reason: `${this.topic} view not started` };
    if (consumer.status !== 'ok') return consumer;
    try {
      await this.catchUp(withinMs);
      return { status: 'ok' };
    } catch (error) {
      return { status: 'degraded', reason: `${this.topic} view not caught up: ${(error as Error).message}` };
    }
  }

  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /**
   * Waits until every record written to the topic before this call has been applied. Concurrent callers share
   * work: while one catch-up runs, later callers share the single one queued behind it (which fetches end
   * offsets after they called), so a burst of misses costs two broker round trips, not one each.
   */
  catchUp(timeoutMs = 30_000): Promise<void> {
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
    const offsets = await this.endOffsets(timeoutMs);
    await Promise.all(
      offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => this.waitFor(o.partition, BigInt(o.high) - 1n, timeoutMs)),
    );
  }

  /** The topic's end offsets, retried while the broker is electing leaders or briefly unreachable. */
  private async endOffsets(timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.admin!.fetchTopicOffsets(this.topic);
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  waitFor(partition: number, offset: bigint | string, timeoutMs = 30_000): Promise<void> {
    const target = BigInt(offset);
    if ((this.applied.get(partition) ?? -1n) >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.topic}[${partition}] did not reach offset ${target} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        partition,
        offset: target,
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
    await this.admin?.disconnect();
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
