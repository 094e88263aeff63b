import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EndpointLimiter } from '../src/limiter.js';

describe('EndpointLimiter.drainEstimateMs', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is unknown before any work finished, then queue x recent duration / concurrency', async () => {
    const limiter = new EndpointLimiter(2, undefined);
    expect(limiter.drainEstimateMs).toBeUndefined();
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const first = Promise.all([limiter.run(() => pause(40)), limiter.run(() => pause(40))]);
    await vi.advanceTimersByTimeAsync(40);
    await first;
    const releases: (() => void)[] = [];
    const blocked = Array.from({ length: 6 }, () => limiter.run(() => new Promise<void>((resolve) => releases.push(resolve))));
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    // Two running, four waiting, 40 ms each over two lanes: 80 ms.
    expect(limiter.queued).toBe(4);
    expect(limiter.drainEstimateMs).toBe(80);
    while (releases.length || limiter.active) {
      for (const release of releases.splice(0)) release();
      await vi.advanceTimersByTimeAsync(1);
    }
    await Promise.all(blocked);
    expect(limiter.drainEstimateMs).toBe(0);
  });

  it('with a rate limit, is no shorter than the rate lets the queue start', async () => {
    const limiter = new EndpointLimiter(5, 2);
    const releases: (() => void)[] = [];
    const blocked = Array.from({ length: 12 }, () => limiter.run(() => new Promise<void>((resolve) => releases.push(resolve))));
    // Two tokens at start: two running, ten waiting at two a second, nothing finished yet.
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    expect(limiter.drainEstimateMs).toBe(5_000);
    for (const release of releases.splice(0)) release();
    await vi.advanceTimersByTimeAsync(10_000);
    for (const release of releases.splice(0)) release();
    await vi.advanceTimersByTimeAsync(10_000);
    for (const release of releases.splice(0)) release();
    await Promise.all(blocked);
  });

  it('says how long every slot has been held by the work in it, 0 while one is free', async () => {
    const limiter = new EndpointLimiter(2, undefined);
    const releases: (() => void)[] = [];
    const hold = () => limiter.run(() => new Promise<void>((resolve) => releases.push(resolve)));
    const first = hold();
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(limiter.stalledForMs).toBe(0);
    const second = hold();
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    await vi.advanceTimersByTimeAsync(2_000);
    // Both slots held: as long as the younger has been (waitFor moved the fake clock by a step).
    expect(limiter.stalledForMs).toBeGreaterThanOrEqual(2_000);
    expect(limiter.stalledForMs).toBeLessThan(2_100);
    releases[0]!();
    await first;
    expect(limiter.stalledForMs).toBe(0);
    releases[1]!();
    await second;
  });

  it('keeps counting across the timeouts of an endpoint that hangs, and starts over once a request finishes in time', async () => {
    const limiter = new EndpointLimiter(2, undefined);
    const pending: { resolve: () => void; startedAt: number }[] = [];
    // Every request hangs until the test ends it, as the delivery timeout (10 s) would.
    const hang = () => limiter.run(() => new Promise<void>((resolve) => pending.push({ resolve, startedAt: Date.now() })));
    const all = Array.from({ length: 12 }, hang);
    await vi.waitFor(() => expect(pending).toHaveLength(2));
    for (let timeout = 1; timeout <= 3; timeout++) {
      await vi.advanceTimersByTimeAsync(10_000);
      // The timeout ends the requests in the slots; two queued ones (waiting 10 s and more) take them at once.
      for (const request of pending.splice(0, 2)) request.resolve();
      await vi.waitFor(() => expect(pending).toHaveLength(2));
      expect(limiter.stalledForMs).toBeGreaterThanOrEqual(timeout * 10_000);
    }
    // The endpoint answers again: a request that ends in time is progress.
    await vi.advanceTimersByTimeAsync(100);
    pending.shift()!.resolve();
    await vi.waitFor(() => expect(pending).toHaveLength(2));
    expect(limiter.stalledForMs).toBeLessThan(1_000);
    while (pending.length > 0) {
      pending.shift()!.resolve();
      await vi.advanceTimersByTimeAsync(1);
    }
    await Promise.all(all);
  });
});
