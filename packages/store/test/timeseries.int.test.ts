import type { AttemptRecord } from '@hookline/core';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttemptFold } from '../src/attempt-fold.js';
import { endpointScope, IncomingCalls, Timeseries, tenantScope } from '../src/index.js';
import { testAttempt } from './attempt-fixture.js';

let client: MongoClient;
let db: Db;
beforeAll(async () => {
  client = new MongoClient(inject('infra').mongoUrl, { retryWrites: false });
  await client.connect();
  db = client.db(`series_${Date.now().toString(36)}`);
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

const now = Date.parse('2026-11-23T10:30:20.000Z');
const attempt = (endpointId: string, outcome: 'success' | 'failure', durationMs: number, agoMs: number): AttemptRecord =>
  testAttempt({ endpointId, tenantId: 'tn_1', outcome, durationMs, startedAt: new Date(now - agoMs).toISOString() });

let offset = 0;
/** Records attempts read for the first time from partition 0 (the next offsets), and writes the buckets. */
async function tagged(attempts: AttemptRecord[]): Promise<void> {
  const series = new Timeseries(db);
  await series.record(AttemptFold.tag(attempts, { partition: 0, offsets: attempts.map(() => String(offset++)) }), 0);
  await series.folds.flush(0);
}

describe('Timeseries (real MongoDB-wire server)', () => {
  it('buckets attempts per minute and per hour, per endpoint and per tenant', async () => {
    const series = new Timeseries(db);
    await tagged([
      attempt('ep_a', 'success', 20, 0),
      attempt('ep_a', 'success', 40, 5_000),
      attempt('ep_a', 'failure', 800, 10_000),
      attempt('ep_a', 'success', 30, 2 * 60_000),
      attempt('ep_b', 'success', 5, 0),
    ]);
    const hour = await series.series(endpointScope('ep_a'), '1h', now);
    expect(hour.bucketSeconds).toBe(60);
    expect(hour.points).toHaveLength(60);
    const last = hour.points.at(-1)!;
    expect(last).toEqual({ t: '2026-11-23T10:30:00.000Z', delivered: 2, failed: 1, avgMs: 287, p95Ms: 1000 });
    expect(hour.points.at(-3)).toMatchObject({ t: '2026-11-23T10:28:00.000Z', delivered: 1, failed: 0, avgMs: 30, p95Ms: 50 });
    expect(hour.points.at(-2)).toMatchObject({ delivered: 0, failed: 0, avgMs: 0, p95Ms: 0 });

    const day = await series.series(endpointScope('ep_a'), '24h', now);
    expect(day.bucketSeconds).toBe(900);
    expect(day.points).toHaveLength(96);
    expect(day.points.at(-1)).toMatchObject({ t: '2026-11-23T10:30:00.000Z', delivered: 2, failed: 1 });
    expect(day.points.at(-2)).toMatchObject({ t: '2026-11-23T10:15:00.000Z', delivered: 1 });

    const week = await series.series(tenantScope('tn_1'), '7d', now);
    expect(week.bucketSeconds).toBe(3600);
    expect(week.points).toHaveLength(168);
    expect(week.points.at(-1)).toMatchObject({ t: '2026-11-23T10:00:00.000Z', delivered: 4, failed: 1 });
    expect(week.points.slice(0, -1).every((p) => p.delivered + p.failed === 0)).toBe(true);
  });

  it('counts a batch that comes again (same topic positions) once, and only the new part of a longer one', async () => {
    const series = new Timeseries(db);
    const batch = AttemptFold.tag([attempt('ep_r', 'success', 10, 0), attempt('ep_r', 'failure', 10, 0)], {
      partition: 2,
      offsets: ['40', '41'],
    });
    await series.record(batch, 2);
    await series.record(batch, 2);
    await series.folds.flush(2);
    // Read again from what was written, as after a crash before the commit.
    await series.record(batch, 2);
    const longer = [...batch, ...AttemptFold.tag([attempt('ep_r', 'success', 10, 0)], { partition: 2, offsets: ['42'] })];
    await series.record(longer, 2);
    await series.folds.flush(2);
    const last = (await series.series(endpointScope('ep_r'), '1h', now)).points.at(-1)!;
    expect(last).toMatchObject({ delivered: 2, failed: 1 });
  });

  it('keeps scopes apart', async () => {
    const series = new Timeseries(db);
    const other = await series.series(endpointScope('ep_none'), '1h', now);
    expect(other.points.every((p) => p.delivered === 0 && p.failed === 0)).toBe(true);
  });
});

describe('IncomingCalls (real MongoDB-wire server)', () => {
  it('keeps the latest calls of each hook in a bounded ring, newest first', async () => {
    const calls = new IncomingCalls(db, 5);
    for (let i = 1; i <= 7; i++) {
      await calls.record('ih_a', {
        at: new Date(now + i).toISOString(),
        status: 202,
        eventId: `evt_${i}`,
        eventType: 'x.y',
        bodyExcerpt: `{"i":${i}}`,
      });
    }
    await calls.record('ih_b', { at: new Date(now).toISOString(), status: 422, error: 'bad', bodyExcerpt: 'x'.repeat(2000) });
    const recent = await calls.recent('ih_a', 50);
    expect(recent.map((c) => c.eventId)).toEqual(['evt_7', 'evt_6', 'evt_5', 'evt_4', 'evt_3']);
    expect(await calls.recent('ih_a', 2)).toHaveLength(2);
    expect(await calls.calls.countDocuments({ _id: { $regex: '^ih_a' } })).toBe(5);
    const [b] = await calls.recent('ih_b', 50);
    expect(b).toMatchObject({ status: 422, error: 'bad' });
    expect(b!.bodyExcerpt).toHaveLength(512);
  });

  it('keeps every one of several first calls that arrive at once', async () => {
    const calls = new IncomingCalls(db, 10);
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        calls.record('ih_c', { at: new Date(now).toISOString(), status: 202, eventId: `evt_${i}`, bodyExcerpt: '{}' }),
      ),
    );
    const recent = await calls.recent('ih_c', 50);
    expect(recent.map((c) => c.eventId).sort()).toEqual(['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5']);
  });
});
