import type { HealthVerdict } from '@hookline/core';
import { CatchUpTimeoutError, ViewNotRunningError } from '../errors.js';
import type { LogRecord, RecordPosition, TopicView } from '../port.js';
import type { TopicStore } from './topic-store.js';

/**
 * A fold of one in-memory topic. Like a real view it lags: appends are applied on a timer tick (so a test with
 * fake timers sees the lag until it advances them), while `catchUp` and `waitFor` apply what is there at once.
 */
export class MemoryTopicView implements TopicView {
  /** Next offset to apply, per partition. */
  private readonly next = new Map<number, number>();
  private phase: 'new' | 'running' | 'stopped' = 'new';
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly store: TopicStore,
    private readonly topic: string,
    private readonly apply: (record: LogRecord) => void,
    private readonly onApplyError?: (error: unknown, record: LogRecord) => void,
  ) {}

  async start(): Promise<void> {
    this.phase = 'running';
    this.unsubscribe = this.store.onAppend((topic) => {
      if (topic === this.topic) this.timer ??= setTimeout(() => this.drain(), 0);
    });
    this.drain();
  }

  async catchUp(): Promise<void> {
    this.assertRunning();
    this.drain();
  }

  async waitFor(position: RecordPosition, timeoutMs = 30_000): Promise<void> {
    this.assertRunning();
    this.drain();
    if (this.reached(position)) return;
    // Not written yet: wait for the append that reaches it.
    await new Promise<void>((resolve, reject) => {
      const waiter = () => {
        if (!this.reached(position)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new CatchUpTimeoutError(`${this.topic}[${position.partition}] did not reach offset ${position.offset} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private reached(position: RecordPosition): boolean {
    return (this.next.get(position.partition) ?? 0) > Number(position.offset);
  }

  async health(): Promise<HealthVerdict> {
    return this.phase === 'running'
      ? { status: 'ok' }
      : { status: 'down', reason: `${this.topic} view ${this.phase === 'new' ? 'not started' : 'stopped'}` };
  }

  async stop(): Promise<void> {
    this.phase = 'stopped';
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  private assertRunning(): void {
    if (this.phase !== 'running')
      throw new ViewNotRunningError(`${this.topic} view is ${this.phase === 'new' ? 'not started' : 'stopped'}`);
  }

  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.phase !== 'running') return;
    const partitions = this.store.get(this.topic).partitions;
    partitions.forEach((records, partition) => {
      for (let offset = this.next.get(partition) ?? 0; offset < records.length; offset++) {
        const record = records[offset]!;
        try {
          this.apply(record);
        } catch (error) {
          this.onApplyError?.(error, record);
        }
        this.next.set(partition, offset + 1);
      }
    });
    for (const waiter of [...this.waiters]) waiter();
  }
}
