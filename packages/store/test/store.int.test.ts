import type { AttemptRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import { testAttempt } from './attempt-fixture.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('store', (connected) => {
  store = connected;
});

const attempt = (endpointId: string, outcome: 'success' | 'failure', durationMs = 10): AttemptRecord =>
  testAttempt({ endpointId, outcome, durationMs });

let offset = 0;
const record = (batch: AttemptRecord[]) => store.recordAttempts(batch, next(batch));
/** Where a batch read for the first time sits on partition 0 of `attempts`: the next offsets. */
const next = (batch: AttemptRecord[]) => ({ partition: 0, offsets: batch.map(() => String(offset++)) });

describe('Store.recordAttempts (real MongoDB-wire server)', () => {
  it('counts a replayed batch once', async () => {
    const batch = [attempt('ep_a', 'success', 10), attempt('ep_a', 'failure', 30), attempt('ep_b', 'success', 5)];
    const source = next(batch);
    expect((await store.recordAttempts(batch, source)).recorded).toBe(3);
    const extra = attempt('ep_a', 'success', 20);
    const replay = await store.recordAttempts([...batch, extra], { partition: 0, offsets: [...source.offsets, ...next([extra]).offsets] });
    expect(replay.recorded).toBe(1);
    expect(await store.endpointStats('ep_a')).toMatchObject({
      attempts: 3,
      succeeded: 2,
      failed: 1,
      totalLatencyMs: 60,
      maxLatencyMs: 30,
      lastStatus: 'success',
      consecutiveFailures: 0,
    });
    expect(await store.endpointStats('ep_b')).toMatchObject({ attempts: 1, succeeded: 1 });
  });

  it('tracks consecutive failures across batches and resets them on success', async () => {
    await record([attempt('ep_c', 'failure'), attempt('ep_c', 'failure')]);
    const { stats } = await record([attempt('ep_c', 'failure')]);
    expect(stats.get('ep_c')).toMatchObject({ consecutiveFailures: 3, lastError: 'receiver answered 500' });
    const after = await record([attempt('ep_c', 'success'), attempt('ep_c', 'failure')]);
    expect(after.stats.get('ep_c')).toMatchObject({ consecutiveFailures: 1, attempts: 5, failed: 4 });
  });
});
