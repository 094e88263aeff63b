import type { Logger } from 'pino';
import type { ProjectionStore } from './projection-store.js';

export interface FoldFlushOptions {
  store: Pick<ProjectionStore, 'flushFolds' | 'stagedFolds' | 'dropFolds'>;
  logger: Logger;
  /** A batch that leaves at most this many counter documents staged is written before the next (default 100). */
  smallFlushDocs?: number;
  /** Larger folds are written at the latest this long after the partition's previous write (default 2 s). */
  maxDelayMs?: number;
  /** How long after a failed write it is tried again (default 1 s). */
  retryMs?: number;
  now?: () => number;
}

interface PartitionFolds {
  /** Releases of the records whose folds are staged and not yet written. */
  releases: (() => void)[];
  /** When the oldest of `releases` was staged (undefined when there are none). */
  heldSince: number | undefined;
  /** The write under way: since when its oldest record has waited, and how many records it will let go. */
  inFlight: { since: number; records: number } | undefined;
  lastFlushAt: number;
  timer: NodeJS.Timeout | undefined;
  /** The partition's writes, one after the other. */
  writing: Promise<void>;
}

/**
 * Decides when the counters a batch staged (`recordAttempts` with `deferFolds`) are written, per `attempts`
 * partition. A batch touching few counter documents (a few endpoints) is written at once, as before. A batch
 * touching many (hundreds of endpoints under load) waits, its records held uncommitted, so the next batches fold
 * into the same staged documents and each is written once per `maxDelayMs` instead of once per batch: on
 * FerretDB 1 each document written is a read, an update and a commit. A crash before the write reads the held
 * records again and folds them from what was written; the read models are at most `maxDelayMs` staler under load.
 */
export class FoldFlusher {
  private readonly partitions = new Map<number, PartitionFolds>();
  private stopped = false;
  private readonly smallFlushDocs: number;
  private readonly maxDelayMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: FoldFlushOptions) {
    this.smallFlushDocs = options.smallFlushDocs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * After a batch of `partition` staged its folds: writes them now (the batch's records are released once they are
   * written) or leaves them for a write within `maxDelayMs` of the previous one. A failed write is logged and
   * tried again after `retryMs`; the records stay held until one succeeds.
   */
  async afterBatch(partition: number, releases: (() => void)[]): Promise<void> {
    const folds = this.entry(partition);
    if (releases.length > 0 && folds.releases.length === 0) folds.heldSince = this.now();
    folds.releases.push(...releases);
    const sinceLast = this.now() - folds.lastFlushAt;
    if (this.options.store.stagedFolds(partition) <= this.smallFlushDocs || sinceLast >= this.maxDelayMs) {
      await this.flush(partition);
    } else {
      this.arm(partition, folds, this.maxDelayMs - sinceLast);
    }
  }

  /** Writes every partition's staged folds (before a graceful stop commits). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.partitions.keys()].map((partition) => this.flush(partition)));
  }

  /**
   * After a rebalance: forgets the folds of the partitions this member no longer owns (their new owner folds the
   * uncommitted records again from what was written) and lets their records go without committing them.
   */
  keepOnly(owned: ReadonlySet<number>): void {
    for (const [partition, folds] of this.partitions) {
      if (owned.has(partition)) continue;
      clearTimeout(folds.timer);
      this.partitions.delete(partition);
      this.options.store.dropFolds(partition);
      for (const release of folds.releases) release();
    }
  }

  /**
   * The partition whose staged counters have waited longest to be written, with how long and how many records they
   * hold uncommitted; undefined when nothing waits. A projector's `/health` names it when the wait is long (a write
   * that keeps failing, a store that does not answer).
   */
  oldestUnwritten(): { partition: number; waitingMs: number; records: number } | undefined {
    let oldest: { partition: number; waitingMs: number; records: number } | undefined;
    for (const [partition, folds] of this.partitions) {
      const queued = folds.releases.length > 0 ? folds.heldSince : undefined;
      const since = Math.min(queued ?? Number.POSITIVE_INFINITY, folds.inFlight?.since ?? Number.POSITIVE_INFINITY);
      if (since === Number.POSITIVE_INFINITY) continue;
      const waitingMs = this.now() - since;
      const records = folds.releases.length + (folds.inFlight?.records ?? 0);
      if (!oldest || waitingMs > oldest.waitingMs) oldest = { partition, waitingMs, records };
    }
    return oldest;
  }

  /** Clears the timers and arms none again (after `flushAll`, or when stopping without writing). */
  stop(): void {
    this.stopped = true;
    for (const folds of this.partitions.values()) {
      clearTimeout(folds.timer);
      folds.timer = undefined;
    }
  }

  private entry(partition: number): PartitionFolds {
    let folds = this.partitions.get(partition);
    if (!folds) {
      folds = {
        releases: [],
        heldSince: undefined,
        inFlight: undefined,
        lastFlushAt: Number.NEGATIVE_INFINITY,
        timer: undefined,
        writing: Promise.resolve(),
      };
      this.partitions.set(partition, folds);
    }
    return folds;
  }

  private arm(partition: number, folds: PartitionFolds, delayMs: number): void {
    if (folds.timer || this.stopped) return;
    folds.timer = setTimeout(() => {
      folds.timer = undefined;
      void this.flush(partition);
    }, delayMs);
  }

  /** Queues a write of the partition's staged folds behind the one in flight; never rejects. */
  private flush(partition: number): Promise<void> {
    const folds = this.partitions.get(partition);
    if (!folds) return Promise.resolve();
    folds.writing = folds.writing.then(() => this.write(partition, folds));
    return folds.writing;
  }

  private async write(partition: number, folds: PartitionFolds): Promise<void> {
    if (this.partitions.get(partition) !== folds) return;
    clearTimeout(folds.timer);
    folds.timer = undefined;
    // Taken with the staged documents: every batch released here staged its folds before this write started.
    const releases = folds.releases;
    folds.releases = [];
    folds.lastFlushAt = this.now();
    const since = folds.heldSince ?? this.now();
    folds.heldSince = undefined;
    folds.inFlight = { since, records: releases.length };
    try {
      await this.options.store.flushFolds(partition);
      folds.inFlight = undefined;
      for (const release of releases) release();
    } catch (error) {
      folds.inFlight = undefined;
      folds.releases.unshift(...releases);
      if (releases.length > 0) folds.heldSince = Math.min(since, folds.heldSince ?? since);
      this.options.logger.warn({ err: error, partition }, 'writing staged counters failed; trying again');
      this.arm(partition, folds, this.retryMs);
    }
  }
}
