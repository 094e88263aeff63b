import type { HealthVerdict } from '@hookline/core';
import { runBatch } from '../batch-run.js';
import { PartitionOffsets } from '../offsets.js';
import type { GroupConsumerOptions, LogRecord, RunningConsumer, TopicPartition } from '../port.js';
import { type GroupMemberHandle, type MemoryGroup, partitionKey } from './group.js';
import { WakeSignal } from './signal.js';
import type { TopicStore } from './topic-store.js';

export interface MemberSettings {
  maxBatchRecords: number;
  /** How long a partition waits before a batch whose handler threw is read again. */
  retryBackoffMs: number;
  onHandlerError?: (error: unknown, batch: { topic: string; partition: number }) => void;
}

/** A partition this member owns: where it reads next, what is in flight, and whether it waits. */
interface OwnedPartition {
  topic: string;
  partition: number;
  position: bigint;
  offsets: PartitionOffsets;
  pausedUntil?: number;
  timer?: NodeJS.Timeout;
  /** Set when a coming rebalance takes it away: the handler should leave the rest of its batch. */
  revoking: boolean;
  /**
   * Set when the handler left the whole batch without pausing: offered again after the next change (an append,
   * a rebalance, a timer), not at once, so a handler that keeps leaving cannot spin the microtask queue.
   */
  stalled?: boolean;
}

type Phase = 'joining' | 'running' | 'stopping' | 'stopped';

/**
 * One member of an in-memory consumer group: reads the partitions it owns one batch at a time (like kafkajs
 * with one partition consumed at a time), commits up to the earliest record still held, pauses partitions on
 * `pauseFrom`, and re-reads a batch whose handler threw after a back-off.
 */
export class MemoryGroupMember implements RunningConsumer, GroupMemberHandle {
  private readonly owned = new Map<string, OwnedPartition>();
  private readonly wake = new WakeSignal();
  private phase: Phase = 'joining';
  /** No new batches: a rebalance is under way, or the member was never assigned yet. */
  private frozen = true;
  private fetchPaused = false;
  private current: Promise<void> | undefined;
  private heldCount = 0;
  private nextPartition = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly group: MemoryGroup,
    private readonly store: TopicStore,
    private readonly options: GroupConsumerOptions,
    private readonly settings: MemberSettings,
  ) {}

  get topics(): string[] {
    return this.options.topics;
  }

  get held(): number {
    return this.heldCount;
  }

  /** Joins the group; resolves once the first assignment is in place. */
  async start(): Promise<void> {
    this.unsubscribe = this.store.onAppend(() => this.wake.notify());
    void this.loop();
    await this.group.join(this);
  }

  prepare(keep: Set<string>): void {
    this.frozen = true;
    for (const [key, owned] of this.owned) if (!keep.has(key)) owned.revoking = true;
  }

  idle(): Promise<void> {
    return this.current ?? Promise.resolve();
  }

  assign(assigned: TopicPartition[]): void {
    const keep = new Set(assigned.map((tp) => partitionKey(tp.topic, tp.partition)));
    for (const [key, owned] of this.owned) {
      if (keep.has(key)) continue;
      clearTimeout(owned.timer);
      this.owned.delete(key);
    }
    for (const { topic, partition } of assigned) {
      const key = partitionKey(topic, partition);
      const owned = this.owned.get(key);
      if (owned) owned.revoking = false;
      // A partition new to this member starts at the group's committed offset, else at the earliest record.
      else
        this.owned.set(key, {
          topic,
          partition,
          position: this.group.committed.get(key) ?? 0n,
          offsets: new PartitionOffsets(),
          revoking: false,
        });
    }
    if (this.phase === 'joining') this.phase = 'running';
    this.frozen = false;
    this.options.onAssignment?.(assigned);
    this.wake.notify();
  }

  pause(): void {
    this.fetchPaused = true;
  }

  async commit(): Promise<void> {
    for (const owned of this.owned.values()) this.commitPartition(owned);
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.phase = 'stopping';
    this.wake.notify();
    await this.idle();
    await this.commit();
    this.phase = 'stopped';
    this.unsubscribe?.();
    for (const owned of this.owned.values()) clearTimeout(owned.timer);
    this.wake.notify();
    await this.group.leave(this);
  }

  health(): HealthVerdict {
    const name = this.group.groupId;
    if (this.phase === 'running') return { status: 'ok' };
    if (this.phase === 'joining') return { status: 'degraded', reason: `${name}: joining its consumer group` };
    return { status: 'down', reason: `${name}: stopped` };
  }

  private async loop(): Promise<void> {
    while (this.phase !== 'stopped') {
      const next = this.frozen || this.fetchPaused || this.phase !== 'running' ? undefined : this.nextBatch();
      if (!next) {
        await this.wake.wait();
        for (const owned of this.owned.values()) owned.stalled = false;
        continue;
      }
      this.current = this.process(next.owned, next.records);
      await this.current;
      this.current = undefined;
    }
  }

  /** The next partition (in turn) with records to read and no pause on it. */
  private nextBatch(): { owned: OwnedPartition; records: LogRecord[] } | undefined {
    const candidates = [...this.owned.values()];
    for (let i = 0; i < candidates.length; i++) {
      const owned = candidates[(this.nextPartition + i) % candidates.length]!;
      if (owned.pausedUntil !== undefined || owned.revoking || owned.stalled) continue;
      const log = this.store.get(owned.topic).partitions[owned.partition]!;
      const start = Number(owned.position);
      if (start >= log.length) continue;
      this.nextPartition = (this.nextPartition + i + 1) % candidates.length;
      return { owned, records: log.slice(start, start + this.settings.maxBatchRecords) };
    }
    return undefined;
  }

  private async process(owned: OwnedPartition, records: LogRecord[]): Promise<void> {
    const { topic, partition } = owned;
    const { cut, pauseUntil } = await runBatch({ topic, partition, records }, this.options.onBatch, {
      offsets: owned.offsets,
      heartbeat: async () => undefined,
      isActive: () => this.phase === 'running' && !owned.revoking && this.owned.get(partitionKey(topic, partition)) === owned,
      onHeldChange: (delta) => {
        this.heldCount += delta;
      },
      onLateRelease: () => this.commitPartition(owned),
      retryBackoffMs: this.settings.retryBackoffMs,
      onHandlerError: (error) => this.settings.onHandlerError?.(error, { topic, partition }),
    });
    owned.position = cut ?? records[records.length - 1]!.offset + 1n;
    owned.stalled = cut === records[0]!.offset && pauseUntil === undefined;
    if (pauseUntil !== undefined) this.pausePartition(owned, pauseUntil);
    this.commitPartition(owned);
  }

  private pausePartition(owned: OwnedPartition, untilMs: number): void {
    clearTimeout(owned.timer);
    owned.pausedUntil = untilMs;
    owned.timer = setTimeout(
      () => {
        // Timers run on a monotonic clock that can be a millisecond ahead of `Date.now()`: not before `untilMs`.
        if (Date.now() < untilMs) return this.pausePartition(owned, untilMs);
        owned.pausedUntil = undefined;
        owned.timer = undefined;
        this.wake.notify();
      },
      Math.max(0, untilMs - Date.now()),
    );
  }

  private commitPartition(owned: OwnedPartition): void {
    if (this.owned.get(partitionKey(owned.topic, owned.partition)) !== owned) return;
    const point = owned.offsets.commitPoint();
    if (point !== undefined) this.group.commit(this, owned.topic, owned.partition, point);
  }
}
