import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FoldFlusher } from '../src/fold-flush.js';

/** A store whose staged counts the test sets, and whose writes it can fail or hold. */
class ScriptedFolds {
  staged = new Map<number, number>();
  flushed: number[] = [];
  dropped: number[] = [];
  failNext = false;
  /** A write that waits for this (a store that does not answer). */
  holdNext: Promise<void> | undefined;

  async flushFolds(partition: number): Promise<void> {
    const hold = this.holdNext;
    this.holdNext = undefined;
    if (hold) await hold;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('server away');
    }
    this.flushed.push(partition);
    this.staged.set(partition, 0);
  }

  stagedFolds(partition: number): number {
    return this.staged.get(partition) ?? 0;
  }

  dropFolds(partition: number): void {
    this.dropped.push(partition);
    this.staged.set(partition, 0);
  }
}

/** Releases that record when they were called. */
function records(names: string[], released: string[]): (() => void)[] {
  return names.map((name) => () => void released.push(name));
}

let store: ScriptedFolds;
let released: string[];
let flusher: FoldFlusher;

beforeEach(() => {
  vi.useFakeTimers();
  store = new ScriptedFolds();
  released = [];
  flusher = new FoldFlusher({ store, logger: pino({ level: 'silent' }), smallFlushDocs: 100, maxDelayMs: 2_000, retryMs: 1_000 });
});
afterEach(() => {
  flusher.stop();
  vi.useRealTimers();
});

describe('FoldFlusher', () => {
  it('writes a batch that touched few counters at once, and lets its records go', async () => {
    store.staged.set(0, 12);
    await flusher.afterBatch(0, records(['a', 'b'], released));
    expect(store.flushed).toEqual([0]);
    expect(released).toEqual(['a', 'b']);
  });

  it('folds the large batches that follow a write into one write at most 2 s after it, holding their records until then', async () => {
    store.staged.set(0, 500);
    await flusher.afterBatch(0, records(['a'], released));
    expect(store.flushed).toEqual([0]);

    vi.advanceTimersByTime(500);
    store.staged.set(0, 900);
    await flusher.afterBatch(0, records(['b'], released));
    vi.advanceTimersByTime(500);
    store.staged.set(0, 1_200);
    await flusher.afterBatch(0, records(['c'], released));
    expect(store.flushed).toEqual([0]);
    expect(released).toEqual(['a']);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.flushed).toEqual([0, 0]);
    expect(released).toEqual(['a', 'b', 'c']);
  });

  it('writes a large batch at once when the last write is 2 s old', async () => {
    store.staged.set(1, 500);
    await flusher.afterBatch(1, records(['a'], released));
    vi.advanceTimersByTime(2_000);
    await flusher.afterBatch(1, records(['b'], released));
    expect(store.flushed).toEqual([1, 1]);
    expect(released).toEqual(['a', 'b']);
  });

  it('keeps the records of a failed write held and writes them again after the retry delay', async () => {
    store.staged.set(0, 10);
    store.failNext = true;
    await flusher.afterBatch(0, records(['a'], released));
    expect(released).toEqual([]);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.flushed).toEqual([0]);
    expect(released).toEqual(['a']);
  });

  it('drops what it staged for a partition it lost and never writes it, letting its records go uncommitted', async () => {
    store.staged.set(0, 500);
    store.staged.set(2, 500);
    await flusher.afterBatch(0, records(['p0-first'], released));
    await flusher.afterBatch(2, records(['p2-first'], released));
    store.staged.set(0, 900);
    store.staged.set(2, 900);
    await flusher.afterBatch(0, records(['p0'], released));
    await flusher.afterBatch(2, records(['p2'], released));

    flusher.keepOnly(new Set([2]));
    expect(store.dropped).toEqual([0]);
    expect(released).toEqual(['p0-first', 'p2-first', 'p0']);

    await vi.advanceTimersByTimeAsync(2_000);
    expect(store.flushed).toEqual([0, 2, 2]);
    expect(released).toEqual(['p0-first', 'p2-first', 'p0', 'p2']);
  });

  it('writes every partition on flushAll (a graceful stop commits what was folded)', async () => {
    store.staged.set(0, 500);
    store.staged.set(1, 500);
    await flusher.afterBatch(0, records(['a'], released));
    await flusher.afterBatch(1, records(['b'], released));
    store.staged.set(0, 500);
    store.staged.set(1, 500);
    await flusher.afterBatch(0, records(['c'], released));
    await flusher.afterBatch(1, records(['d'], released));
    expect(released).toEqual(['a', 'b']);

    await flusher.flushAll();
    expect(released.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('names the partition whose counters have waited longest, with the records they hold, also while a write hangs', async () => {
    expect(flusher.oldestUnwritten()).toBeUndefined();
    store.staged.set(0, 12);
    store.failNext = true;
    await flusher.afterBatch(0, records(['a', 'b'], released));
    await vi.advanceTimersByTimeAsync(500);
    expect(flusher.oldestUnwritten()).toEqual({ partition: 0, waitingMs: 500, records: 2 });

    // The retry hangs: its records are still waiting, and the batch that comes meanwhile adds its own.
    let answer: () => void = () => undefined;
    store.holdNext = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await vi.advanceTimersByTimeAsync(30_000);
    store.staged.set(0, 500);
    void flusher.afterBatch(0, records(['c'], released));
    expect(flusher.oldestUnwritten()).toEqual({ partition: 0, waitingMs: 30_500, records: 3 });

    answer();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(released).toEqual(['a', 'b', 'c']);
    expect(flusher.oldestUnwritten()).toBeUndefined();
  });
});
