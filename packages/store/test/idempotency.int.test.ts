import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type IdempotencyClaim, IdempotencyKeys } from '../src/index.js';

/**
 * The claim protocol on the real MongoDB-wire server (FerretDB in `./dev test`): the duplicate-key lock, the
 * compare-and-set takeover and the expiry check on read. Time is moved by faking `Date` only (the driver keeps
 * its real timers); the waiting rules themselves are covered on fake timers in idempotency.test.ts.
 */
let base: IdempotencyKeys;
const db = () => base.collection.db;
beforeAll(async () => {
  base = await IdempotencyKeys.connect(inject('infra').mongoUrl, `idem_${Date.now().toString(36)}`);
});
afterAll(async () => {
  await base?.collection.db.dropDatabase();
  await base?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

type Claimed = Extract<IdempotencyClaim, { outcome: 'claimed' }>;
const fresh = (n: number) => ({ eventId: `evt_${n}`, eventTimestamp: new Date(1_700_000_000_000 + n).toISOString() });

describe('IdempotencyKeys (real MongoDB-wire server)', () => {
  it('lets exactly one of ten concurrent claims produce; the others wait and get its event id once it completes', async () => {
    const keys = IdempotencyKeys.on(db(), { pollMs: 20 });
    await keys.ensureIndexes();
    const lookups = vi.spyOn(keys.collection, 'findOne');
    const claims = Array.from({ length: 10 }, (_, i) => keys.claim('ten_1', 'k1', 'hash', fresh(i)));
    const first = (await Promise.race(claims)) as Claimed;
    expect(first.outcome).toBe('claimed');
    // "Producing" while the duplicates poll the pending claim.
    await vi.waitFor(() => expect(lookups.mock.calls.length).toBeGreaterThanOrEqual(9), { timeout: 30_000, interval: 20 });
    await keys.complete(first);
    const outcomes = await Promise.all(claims);
    expect(outcomes.filter((c) => c.outcome === 'claimed')).toEqual([first]);
    expect(new Set(outcomes.map((c) => ('eventId' in c ? c.eventId : undefined)))).toEqual(new Set([first.eventId]));
    expect(await keys.claim('ten_1', 'k1', 'other', fresh(99))).toEqual({ outcome: 'mismatch' });
    expect(await keys.claim('ten_2', 'k1', 'other', fresh(98))).toMatchObject({ outcome: 'claimed', eventId: 'evt_98' });
  });

  it('lets a retry proceed after a released claim, and reports a claim still pending as busy', async () => {
    const keys = IdempotencyKeys.on(db(), { waitMs: 0 });
    const first = (await keys.claim('ten_1', 'k2', 'hash', fresh(1))) as Claimed;
    expect(first.outcome).toBe('claimed');
    expect(await keys.claim('ten_1', 'k2', 'hash', fresh(2))).toEqual({ outcome: 'busy' });
    await keys.release(first);
    expect(await keys.claim('ten_1', 'k2', 'hash', fresh(3))).toMatchObject({ outcome: 'claimed', eventId: 'evt_3' });
  });

  it('takes over an abandoned claim with its event id, and forgets keys past their age', async () => {
    // From the real time on, so that a server expiring documents itself (MongoDB's TTL monitor) agrees.
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const leased = IdempotencyKeys.on(db(), { leaseMs: 60_000, waitMs: 0 });
    expect(await leased.claim('ten_1', 'k3', 'hash', fresh(1))).toMatchObject({ outcome: 'claimed' });
    vi.setSystemTime(start + 59_999);
    expect(await leased.claim('ten_1', 'k3', 'hash', fresh(2))).toEqual({ outcome: 'busy' });
    vi.setSystemTime(start + 60_000);
    expect(await leased.claim('ten_1', 'k3', 'hash', fresh(3))).toMatchObject({ outcome: 'claimed', eventId: 'evt_1' });

    const shortLived = IdempotencyKeys.on(db(), { ttlMs: 3_600_000 });
    const done = (await shortLived.claim('ten_1', 'k4', 'hash', fresh(1))) as Claimed;
    await shortLived.complete(done);
    expect(await shortLived.claim('ten_1', 'k4', 'other', fresh(2))).toEqual({ outcome: 'mismatch' });
    vi.setSystemTime(start + 60_000 + 3_600_000);
    expect(await shortLived.claim('ten_1', 'k4', 'other', fresh(3))).toMatchObject({ outcome: 'claimed', eventId: 'evt_3' });
  });
});
