import type { AttemptRecord } from '@hookline/core';
import { describe, expect, it, type MockInstance, vi } from 'vitest';
import type { Store } from '../src/index.js';
import { testAttempt } from './attempt-fixture.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
/** The counters' bulk writes (each a read, an update and a commit per document on FerretDB 1), called through. */
let bulkWrites: MockInstance[] = [];
const writeCalls = () => bulkWrites.reduce((n, spy) => n + spy.mock.calls.length, 0);
useTestStore('deferred', async (connected) => {
  store = connected;
  bulkWrites = [vi.spyOn(store.stats.collection, 'bulkWrite'), vi.spyOn(store.timeseries.buckets, 'bulkWrite')];
});

const attempt = (endpointId: string, outcome: 'success' | 'failure' = 'success'): AttemptRecord =>
  testAttempt({ endpointId, tenantId: 'tn_deferred', outcome });
const offsets = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));
const batchOf = (endpoints: string[], outcome?: 'success' | 'failure') => endpoints.map((e) => attempt(e, outcome));

describe('counters folded across batches before they are written (real MongoDB-wire server)', () => {
  it('writes each counter document once for several batches, with the same counts as batch by batch', async () => {
    const endpoints = Array.from({ length: 40 }, (_, i) => `ep_d${i}`);
    const first = batchOf(endpoints);
    const second = batchOf(endpoints, 'failure');
    for (const spy of bulkWrites) spy.mockClear();
    await store.recordAttempts(first, { partition: 1, offsets: offsets(0, 40) }, undefined, { deferFolds: true });
    await store.recordAttempts(second, { partition: 1, offsets: offsets(40, 40) }, undefined, { deferFolds: true });
    expect(writeCalls()).toBe(0);
    expect(await store.endpointStats('ep_d0')).toBeNull();
    // 40 stats shares, 2 x 41 chart buckets (40 endpoints and the tenant, minute and hour)
    expect(store.stagedFolds(1)).toBe(40 + 82);

    await store.flushFolds(1);
    expect(store.stagedFolds(1)).toBe(0);
    // One bulk write per 50 documents: 122 documents in three calls, against six for the two batches one by one.
    expect(writeCalls()).toBe(3);
    const stats = await store.endpointStats('ep_d7');
    expect(stats).toMatchObject({ attempts: 2, succeeded: 1, failed: 1, consecutiveFailures: 1 });
    const series = await store.timeseries.series(`tn:tn_deferred`, '7d', 1_700_000_000_000 + 3_600_000);
    expect(series.points.reduce((sum, p) => sum + p.delivered + p.failed, 0)).toBe(80);
  });

  it('folds a batch staged by a member that lost the partition once, from what was written', async () => {
    const endpoints = ['ep_moved_a', 'ep_moved_b'];
    const written = batchOf(endpoints);
    await store.recordAttempts(written, { partition: 3, offsets: offsets(0, 2) });
    const staged = batchOf(endpoints);
    await store.recordAttempts(staged, { partition: 3, offsets: offsets(2, 2) }, undefined, { deferFolds: true });
    // The partition moved before the write: its records were not committed, so the new owner reads them again.
    store.dropFolds(3);
    expect(store.stagedFolds(3)).toBe(0);
    const again = await store.recordAttempts(staged, { partition: 3, offsets: offsets(2, 2) });
    expect(again.recorded).toBe(2);
    expect((await store.endpointStats('ep_moved_a'))?.attempts).toBe(2);
  });

  it('keeps a copy staged again during a write for the next one', async () => {
    await store.recordAttempts([attempt('ep_race')], { partition: 5, offsets: ['0'] }, undefined, { deferFolds: true });
    const writing = store.flushFolds(5);
    await store.recordAttempts([attempt('ep_race')], { partition: 5, offsets: ['1'] }, undefined, { deferFolds: true });
    await writing;
    expect(store.stagedFolds(5)).toBeGreaterThan(0);
    await store.flushFolds(5);
    expect((await store.endpointStats('ep_race'))?.attempts).toBe(2);
  });
});
