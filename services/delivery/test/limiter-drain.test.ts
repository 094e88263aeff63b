import { describe, expect, it } from 'vitest';
import { EndpointLimiter } from '../src/limiter.js';

describe('EndpointLimiter.drainEstimateMs', () => {
  it('is unknown before any work finished, then queue x recent duration / concurrency', async () => {
    const limiter = new EndpointLimiter(2, undefined);
    expect(limiter.drainEstimateMs).toBeUndefined();
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await Promise.all([limiter.run(() => pause(40)), limiter.run(() => pause(40))]);
    const releases: (() => void)[] = [];
    const blocked = Array.from({ length: 6 }, () => limiter.run(() => new Promise<void>((resolve) => releases.push(resolve))));
    await pause(5);
    // Two running, four waiting, ~40 ms each over two lanes: ~80 ms (loose bounds: a loaded machine stretches timers).
    expect(limiter.queued).toBe(4);
    expect(limiter.drainEstimateMs!).toBeGreaterThanOrEqual(70);
    expect(limiter.drainEstimateMs!).toBeLessThan(400);
    while (releases.length || limiter.active) {
      releases.splice(0).forEach((release) => release());
      await pause(1);
    }
    await Promise.all(blocked);
    expect(limiter.drainEstimateMs).toBe(0);
  });
});
