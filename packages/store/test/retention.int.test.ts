import { describe, expect, it } from 'vitest';
import { ExpiredDocuments, type Store } from '../src/index.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('retention', (connected) => {
  store = connected;
});

const cutoff = new Date('2026-11-30T12:00:00.000Z');
const before = (ms: number) => new Date(cutoff.getTime() - ms).toISOString();
const after = (ms: number) => new Date(cutoff.getTime() + ms).toISOString();

describe('ExpiredDocuments (real MongoDB-wire server)', () => {
  it('deletes attempts that started before the cutoff, in batches, and keeps the rest', async () => {
    const attempts = store.db.collection('attempts');
    await attempts.insertMany([
      ...Array.from({ length: 5 }, (_, i) => ({ _id: `old_${i}` as never, startedAt: before(1000 + i) })),
      { _id: 'new' as never, startedAt: after(1) },
    ]);
    const expired = new ExpiredDocuments(store.db, 'attempts');
    await expired.ensureIndexes();
    expect(await expired.deleteBatch(cutoff, 2)).toBe(2);
    expect(await expired.deleteBatch(cutoff, 2)).toBe(2);
    expect(await expired.deleteBatch(cutoff, 2)).toBe(1);
    expect(await expired.deleteBatch(cutoff, 2)).toBe(0);
    expect((await attempts.find().toArray()).map((d) => d._id)).toEqual(['new']);
  });

  it('looks only at the oldest inserted attempts, with a limit FerretDB applies in SQL rather than a scan of the log', async () => {
    const attempts = store.db.collection(`attempts`);
    await attempts.deleteMany({});
    // A late insert of an old attempt waits behind a newer one inserted before it.
    await attempts.insertMany([
      { _id: 'a_new' as never, startedAt: after(1) },
      { _id: 'a_late_old' as never, startedAt: before(1) },
    ]);
    const expired = new ExpiredDocuments(store.db, 'attempts');
    expect(await expired.deleteBatch(cutoff, 1)).toBe(0);
    expect(await expired.deleteBatch(cutoff, 2)).toBe(1);
    expect((await attempts.find().toArray()).map((d) => d._id)).toEqual(['a_new']);
    const explained = (await attempts
      .find({}, { projection: { _id: 1 } })
      .limit(1)
      .explain()) as {
      serverInfo?: { ferretdbVersion?: string };
      limitPushdown?: boolean;
    };
    if (explained.serverInfo?.ferretdbVersion) expect(explained.limitPushdown).toBe(true);
  });

  it('deletes only replayed dead letters, never dead ones however old', async () => {
    const letters = store.db.collection('dead_letters');
    await letters.insertMany([
      { _id: 'replayed_old' as never, state: 'replayed', deadLetteredAt: before(1) },
      { _id: 'dead_old' as never, state: 'dead', deadLetteredAt: before(1) },
      { _id: 'replayed_new' as never, state: 'replayed', deadLetteredAt: after(1) },
    ]);
    expect(await new ExpiredDocuments(store.db, 'replayed_dead_letters').deleteBatch(cutoff, 10)).toBe(1);
    expect((await letters.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['dead_old', 'replayed_new']);
  });

  it('deletes incoming calls, idempotency keys and partition-share chart buckets by their own age fields', async () => {
    await store.db.collection('incoming_calls').insertMany([
      { _id: 'h|a' as never, at: before(1) },
      { _id: 'h|b' as never, at: after(1) },
    ]);
    await store.db.collection('idempotency_keys').insertMany([
      { _id: 't:old' as never, createdAt: new Date(cutoff.getTime() - 1) },
      { _id: 't:new' as never, createdAt: new Date(cutoff.getTime() + 1) },
    ]);
    await store.db.collection('timeseries').insertMany([
      { _id: 'x|m|old|p0' as never, resolution: 'm', start: before(60_000) },
      { _id: 'x|h|old|p0' as never, resolution: 'h', start: before(60_000) },
      { _id: 'x|m|new|p0' as never, resolution: 'm', start: after(0) },
    ]);
    expect(await new ExpiredDocuments(store.db, 'incoming_calls').deleteBatch(cutoff, 10)).toBe(1);
    expect(await new ExpiredDocuments(store.db, 'idempotency_keys').deleteBatch(cutoff, 10)).toBe(1);
    expect(await new ExpiredDocuments(store.db, 'minute_buckets').deleteBatch(cutoff, 10)).toBe(1);
    expect(await new ExpiredDocuments(store.db, 'hour_buckets').deleteBatch(cutoff, 10)).toBe(1);
    expect((await store.db.collection('idempotency_keys').find().toArray()).map((d) => d._id)).toEqual(['t:new']);
    expect((await store.db.collection('timeseries').find().toArray()).map((d) => d._id)).toEqual(['x|m|new|p0']);
  });
});
