import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetentionSweeper, type SweepTarget } from '../src/sweeper.js';

/** Documents of one kind in memory, by the time they were written; deletes the oldest first, like the store. */
class MemoryTarget implements SweepTarget {
  readonly batches: number[] = [];
  failNext = false;

  constructor(
    readonly kind: string,
    public writtenAt: number[],
  ) {}

  async deleteBatch(cutoff: Date, limit: number): Promise<number> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('server went away');
    }
    const expired = this.writtenAt.filter((t) => t < cutoff.getTime()).slice(0, limit);
    this.writtenAt = this.writtenAt.filter((t) => !expired.includes(t));
    this.batches.push(expired.length);
    return expired.length;
  }
}

const logger = pino({ level: 'silent' });
const MINUTE = 60_000;

async function deletedMetric(metrics: Registry): Promise<Record<string, number>> {
  const metric = await metrics.getSingleMetric('hookline_retention_deleted_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.kind), v.value]));
}

let sweeper: RetentionSweeper | undefined;
afterEach(async () => {
  await sweeper?.stop();
  vi.useRealTimers();
});

describe('RetentionSweeper', () => {
  it('deletes what outlived its retention on every run, in batches, and counts it per kind', async () => {
    vi.useFakeTimers();
    const start = Date.parse('2026-12-01T00:00:00.000Z');
    vi.setSystemTime(start);
    // Attempts written every minute for the last 10 minutes and from now on; keys from 2 and 20 minutes ago.
    const attempts = new MemoryTarget(
      'attempts',
      Array.from({ length: 10 }, (_, i) => start - (10 - i) * MINUTE),
    );
    const keys = new MemoryTarget('idempotency_keys', [start - 20 * MINUTE, start - 2 * MINUTE]);
    const metrics = new Registry();
    sweeper = new RetentionSweeper({
      targets: [
        { target: attempts, retentionMs: 5 * MINUTE },
        { target: keys, retentionMs: 10 * MINUTE },
      ],
      intervalMs: MINUTE,
      batchSize: 2,
      maxBatchesPerRun: 10,
      metrics,
      logger,
    });
    sweeper.start();
    // Nothing before the first interval.
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(attempts.writtenAt).toHaveLength(10);

    await vi.advanceTimersByTimeAsync(1);
    // At start + 1 min the cutoff is start - 4 min: six attempts (10..5 minutes old) go, two per batch.
    expect(attempts.writtenAt).toEqual([start - 4 * MINUTE, start - 3 * MINUTE, start - 2 * MINUTE, start - MINUTE]);
    expect(attempts.batches).toEqual([2, 2, 2, 0]);
    expect(keys.writtenAt).toEqual([start - 2 * MINUTE]);
    expect(await deletedMetric(metrics)).toEqual({ attempts: 6, idempotency_keys: 1 });

    // Two minutes later the next two attempts are past 5 minutes.
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(attempts.writtenAt).toEqual([start - 2 * MINUTE, start - MINUTE]);
    expect(await deletedMetric(metrics)).toEqual({ attempts: 8, idempotency_keys: 1 });
  });

  it('stops a run at its batch limit and takes the rest at the next run', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const calls = new MemoryTarget(
      'incoming_calls',
      Array.from({ length: 7 }, (_, i) => start - 100 * MINUTE + i),
    );
    sweeper = new RetentionSweeper({
      targets: [{ target: calls, retentionMs: MINUTE }],
      intervalMs: 1000,
      batchSize: 2,
      maxBatchesPerRun: 2,
      metrics: new Registry(),
      logger,
    });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.writtenAt).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.writtenAt).toHaveLength(0);
  });

  it('counts a failed sweep, goes on with the other kinds, and tries again at the next run', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const broken = new MemoryTarget('attempts', [start - 10 * MINUTE]);
    const fine = new MemoryTarget('incoming_calls', [start - 10 * MINUTE]);
    broken.failNext = true;
    const metrics = new Registry();
    sweeper = new RetentionSweeper({
      targets: [
        { target: broken, retentionMs: MINUTE },
        { target: fine, retentionMs: MINUTE },
      ],
      intervalMs: 1000,
      batchSize: 10,
      maxBatchesPerRun: 10,
      metrics,
      logger,
    });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect([broken.writtenAt.length, fine.writtenAt.length]).toEqual([1, 0]);
    const failures = await metrics.getSingleMetric('hookline_retention_sweep_failures_total')!.get();
    expect(failures.values.map((v) => [v.labels.kind, v.value])).toEqual([['attempts', 1]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(broken.writtenAt).toHaveLength(0);
  });
});
