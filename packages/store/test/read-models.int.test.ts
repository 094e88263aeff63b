import type { AttemptRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { endpointScope, type Store, tenantScope } from '../src/index.js';
import { type OwnedDoc, writeAhead } from '../src/owned-write.js';
import { testAttempt } from './attempt-fixture.js';
import { useTestStore } from './store-fixture.js';

/**
 * One writer per document: counters are kept per `attempts` partition and summed on read, so projectors that
 * own different partitions never update the same document (FerretDB v1 loses concurrent `$inc`s on one).
 */
let store: Store;
useTestStore('models', (connected) => {
  store = connected;
});

const now = Date.now();
const attempt = (tenantId: string, endpointId: string, outcome: 'success' | 'failure', durationMs = 10): AttemptRecord =>
  testAttempt({ tenantId, endpointId, outcome, durationMs, startedAt: new Date(now - 1000).toISOString() });
const offsets = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

describe('read models with one writer per document (real MongoDB-wire server)', () => {
  it('counts every attempt when the owners of eight partitions fold one tenant at the same time', async () => {
    const partitions = 8;
    const batches = 6;
    const perBatch = 5;
    await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        for (let b = 0; b < batches; b++) {
          const list = Array.from({ length: perBatch }, (_, i) => attempt('tn_many', `ep_m${p}`, i % 5 === 0 ? 'failure' : 'success'));
          await store.recordAttempts(list, { partition: p, offsets: offsets(b * perBatch, perBatch) });
        }
      }),
    );
    const total = partitions * batches * perBatch;
    const failed = partitions * batches;
    const points = (await store.timeseries.series(tenantScope('tn_many'), '1h')).points;
    expect(points.reduce((s, p) => s + p.delivered + p.failed, 0)).toBe(total);
    expect(points.reduce((s, p) => s + p.failed, 0)).toBe(failed);
    expect(await store.failuresSince({ tenantId: 'tn_many' }, new Date(now - 3_600_000))).toBe(failed);
    const stats = await store.tenantStats('tn_many');
    expect(stats.reduce((s, d) => s + d.attempts, 0)).toBe(total);
    expect(stats.reduce((s, d) => s + d.failed, 0)).toBe(failed);
  });

  it('keeps reading documents of the first shape and folds only what they had not folded', async () => {
    // Written by the previous version: one document per endpoint and per bucket, with offsets folded per partition.
    const minute = new Date(Math.floor((now - 1000) / 60_000) * 60_000).toISOString();
    await store.stats.collection.insertOne({
      _id: 'ep_old',
      tenantId: 'tn_old',
      attempts: 5,
      succeeded: 3,
      failed: 2,
      totalLatencyMs: 50,
      maxLatencyMs: 20,
      lastAttemptAt: new Date(now - 5000).toISOString(),
      lastStatus: 'failure',
      lastStatusCode: 500,
      lastError: 'receiver answered 500',
      consecutiveFailures: 2,
      latencyBuckets: { '10': 3, '25': 2 },
      foldedOffsets: { p1: 10 },
    });
    await store.timeseries.buckets.insertOne({
      _id: `${endpointScope('ep_old')}|m|${minute}`,
      delivered: 3,
      failed: 2,
      totalMs: 50,
      latency: { '10': 3, '25': 2 },
      foldedOffsets: { p1: 10 },
    });
    // Offsets 9 and 10 were folded by the previous version (the batch comes again after the upgrade).
    const batch = [attempt('tn_old', 'ep_old', 'failure'), attempt('tn_old', 'ep_old', 'failure'), attempt('tn_old', 'ep_old', 'failure')];
    const { stats, recorded } = await store.recordAttempts(batch, { partition: 1, offsets: ['9', '10', '11'] });
    expect(recorded).toBe(1);
    expect(stats.get('ep_old')).toMatchObject({ consecutiveFailures: 3 });
    expect(await store.endpointStats('ep_old')).toMatchObject({
      _id: 'ep_old',
      attempts: 6,
      failed: 3,
      consecutiveFailures: 3,
      maxLatencyMs: 20,
    });
    expect((await store.tenantStats('tn_old')).map((d) => [d._id, d.attempts])).toEqual([['ep_old', 6]]);
    const last = (await store.timeseries.series(endpointScope('ep_old'), '1h')).points.filter((p) => p.delivered + p.failed > 0);
    expect(last).toEqual([expect.objectContaining({ t: minute, delivered: 3, failed: 3 })]);
  });

  it("refuses a former owner's late write of a partition whose new owner is further on", async () => {
    const early = [attempt('tn_z', 'ep_z', 'success'), attempt('tn_z', 'ep_z', 'success')];
    const later = [attempt('tn_z', 'ep_z', 'success')];
    // The new owner read offsets 0-2; the former owner, whose session had expired mid-batch, writes 0-1 after.
    await store.recordAttempts([...early, ...later], { partition: 3, offsets: offsets(0, 3) });
    const late = await store.recordAttempts(early, { partition: 3, offsets: offsets(0, 2) });
    expect(late.recorded).toBe(0);
    expect(await store.endpointStats('ep_z')).toMatchObject({ attempts: 3 });
    expect((await store.timeseries.series(tenantScope('tn_z'), '1h')).points.reduce((s, p) => s + p.delivered, 0)).toBe(3);
  });

  it('writes a share only over an older copy of it, and names the ones it refused', async () => {
    const shares = store.db.collection<OwnedDoc & { n: number }>('owned_probe');
    expect([...(await writeAhead(shares, [{ _id: 'a|p0', partition: 0, through: 5, n: 5 }]))]).toEqual([]);
    // A former owner that read the share at an older position writes late, next to a share it still owns.
    const refused = await writeAhead(shares, [
      { _id: 'b|p0', partition: 0, through: 3, n: 3 },
      { _id: 'a|p0', partition: 0, through: 3, n: 3 },
      { _id: 'c|p0', partition: 0, through: 3, n: 3 },
    ]);
    expect([...refused]).toEqual(['a|p0']);
    expect(await shares.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a|p0', partition: 0, through: 5, n: 5 },
      { _id: 'b|p0', partition: 0, through: 3, n: 3 },
      { _id: 'c|p0', partition: 0, through: 3, n: 3 },
    ]);
  });

  it('writes the shares of a batch that touched hundreds of endpoints, over their older copies (FerretDB hung on 100 in one bulk write)', async () => {
    const shares = store.db.collection<OwnedDoc & { n: number }>('owned_many');
    const batch = (through: number) => Array.from({ length: 250 }, (_, i) => ({ _id: `ep_${i}|p0`, partition: 0, through, n: through }));
    expect([...(await writeAhead(shares, batch(1)))]).toEqual([]);
    expect([...(await writeAhead(shares, batch(2)))]).toEqual([]);
    expect(await shares.countDocuments({ through: 2 })).toBe(250);
  }, 30_000);
});
