import { describe, expect, it } from 'vitest';
import { PacedCount, PacedCounts } from '../src/paced-count.js';

/** A count whose every run waits for the test to finish it, with a clock the test moves. */
function scriptedCount() {
  const clock = { now: 0 };
  const runs: { resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  const count = () =>
    new Promise<number>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { clock, runs, count, now: () => clock.now };
}

describe('PacedCount (counts that scan, under readers faster than a count)', () => {
  it('shares a running count among its callers and reuses its value for nine times its duration', async () => {
    const { clock, runs, count, now } = scriptedCount();
    const paced = new PacedCount(count, now);
    const callers = [paced.latest(), paced.latest(), paced.latest()];
    expect(runs).toHaveLength(1);
    clock.now = 100;
    runs[0]!.resolve(7);
    expect(await Promise.all(callers)).toEqual([7, 7, 7]);

    clock.now = 999;
    expect(await paced.latest()).toBe(7);
    expect(runs).toHaveLength(1);
    clock.now = 1_000;
    const next = paced.latest();
    expect(runs).toHaveLength(2);
    runs[1]!.resolve(8);
    expect(await next).toBe(8);
  });

  it('paces a failing count like a slow one, and keeps the last value for readers that want one', async () => {
    const { clock, runs, count, now } = scriptedCount();
    const paced = new PacedCount(count, now);
    const first = paced.latest();
    runs[0]!.resolve(3);
    await first;
    clock.now = 10;
    const failing = paced.latest();
    clock.now = 20;
    runs[1]!.reject(new Error('server busy'));
    await expect(failing).rejects.toThrow('server busy');
    await expect(paced.latest()).rejects.toThrow('server busy');
    expect(runs).toHaveLength(2);
    expect(paced.last).toBe(3);
  });

  it('counts again at once after this process wrote, even while an older count runs', async () => {
    const { clock, runs, count, now } = scriptedCount();
    const paced = new PacedCount(count, now);
    const before = paced.latest();
    paced.invalidate();
    const after = paced.latest();
    expect(runs).toHaveLength(2);
    clock.now = 50;
    runs[1]!.resolve(5);
    runs[0]!.resolve(4);
    expect([await before, await after]).toEqual([4, 5]);
    // The older count finished last but does not replace the newer value.
    expect(await paced.latest()).toBe(5);
  });
});

describe('PacedCounts', () => {
  it('keeps one paced count per key and invalidates by prefix', async () => {
    const { clock, runs, count, now } = scriptedCount();
    const counts = new PacedCounts(now);
    const a = [counts.latest('ep_1\u0000dead', count), counts.latest('ep_1\u0000dead', count)];
    const b = counts.latest('ep_2\u0000dead', count);
    expect(runs).toHaveLength(2);
    clock.now = 100;
    runs[0]!.resolve(1);
    runs[1]!.resolve(2);
    expect([...(await Promise.all(a)), await b]).toEqual([1, 1, 2]);
    counts.invalidate('ep_1\u0000');
    void counts.latest('ep_1\u0000dead', count);
    void counts.latest('ep_2\u0000dead', count);
    expect(runs).toHaveLength(3);
  });

  it('drops entries that are neither running nor fresh once it holds many', async () => {
    const { clock, runs, count, now } = scriptedCount();
    const counts = new PacedCounts(now, 2);
    const first = [counts.latest('a', count), counts.latest('b', count)];
    runs[0]!.resolve(1);
    runs[1]!.resolve(2);
    await Promise.all(first);
    clock.now = 1;
    // Both are stale now (they took 0 ms): the third key prunes them, so 'a' counts afresh.
    void counts.latest('c', count);
    void counts.latest('a', count);
    expect(runs).toHaveLength(4);
  });
});
