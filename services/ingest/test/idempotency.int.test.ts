import { IdempotencyKeys } from '@hookline/store';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/** The claim protocol on the real MongoDB-wire server (FerretDB in `./dev test`). */
let base: IdempotencyKeys;
const db = () => base.collection.db;
beforeAll(async () => {
  base = await IdempotencyKeys.connect(inject('infra').mongoUrl, `idem_${Date.now().toString(36)}`);
});
afterAll(async () => {
  await base?.collection.db.dropDatabase();
  await base?.close();
});

const fresh = (n: number) => ({ eventId: `evt_${n}`, eventTimestamp: new Date(1_700_000_000_000 + n).toISOString() });

describe('IdempotencyKeys', () => {
  it('lets exactly one of ten concurrent claims produce; the others get its event id once it completes', async () => {
    const keys = IdempotencyKeys.on(db(), { pollMs: 20 });
    await keys.ensureIndexes();
    const claims = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const claim = await keys.claim('ten_1', 'k1', 'hash', fresh(i));
        if (claim.outcome === 'claimed') {
          await new Promise((resolve) => setTimeout(resolve, 200)); // "producing"
          await keys.complete(claim);
        }
        return claim;
      }),
    );
    const claimed = claims.filter((c) => c.outcome === 'claimed');
    expect(claimed).toHaveLength(1);
    const eventIds = new Set(claims.map((c) => ('eventId' in c ? c.eventId : undefined)));
    expect(eventIds).toEqual(new Set([claimed[0]!.eventId]));
    expect(await keys.claim('ten_1', 'k1', 'other', fresh(99))).toEqual({ outcome: 'mismatch' });
    expect(await keys.claim('ten_2', 'k1', 'other', fresh(98))).toMatchObject({ outcome: 'claimed', eventId: 'evt_98' });
  });

  it('lets a retry proceed after a released claim, and reports a claim still pending as busy', async () => {
    const keys = IdempotencyKeys.on(db(), { waitMs: 300, pollMs: 20 });
    const first = await keys.claim('ten_1', 'k2', 'hash', fresh(1));
    expect(first.outcome).toBe('claimed');
    expect(await keys.claim('ten_1', 'k2', 'hash', fresh(2))).toEqual({ outcome: 'busy' });
    await keys.release(first as Extract<typeof first, { outcome: 'claimed' }>);
    expect(await keys.claim('ten_1', 'k2', 'hash', fresh(3))).toMatchObject({ outcome: 'claimed', eventId: 'evt_3' });
  });

  it('takes over an abandoned claim with its event id, and forgets keys past their age', async () => {
    const leased = IdempotencyKeys.on(db(), { leaseMs: 100, pollMs: 20 });
    expect(await leased.claim('ten_1', 'k3', 'hash', fresh(1))).toMatchObject({ outcome: 'claimed' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await leased.claim('ten_1', 'k3', 'hash', fresh(2))).toMatchObject({ outcome: 'claimed', eventId: 'evt_1' });

    const shortLived = IdempotencyKeys.on(db(), { ttlMs: 100 });
    const done = await shortLived.claim('ten_1', 'k4', 'hash', fresh(1));
    await shortLived.complete(done as Extract<typeof done, { outcome: 'claimed' }>);
    expect(await shortLived.claim('ten_1', 'k4', 'other', fresh(2))).toEqual({ outcome: 'mismatch' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await shortLived.claim('ten_1', 'k4', 'other', fresh(3))).toMatchObject({ outcome: 'claimed', eventId: 'evt_3' });
  });
});
