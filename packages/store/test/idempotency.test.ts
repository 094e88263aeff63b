import { type Collection, MongoServerError } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type IdempotencyClaim, type IdempotencyDoc, IdempotencyKeys } from '../src/idempotency.js';

/**
 * The claim protocol's time-driven rules (waiting for a duplicate, the lease, the key's age) on fake timers:
 * the clock only moves when a test moves it. The collection is an in-memory stand-in with the few operations
 * the protocol uses and MongoDB's duplicate-key error; the real server is covered by idempotency.int.test.ts.
 */
class InMemoryKeys {
  readonly docs = new Map<string, IdempotencyDoc>();

  private matches(doc: IdempotencyDoc, filter: Partial<IdempotencyDoc>): boolean {
    return Object.entries(filter).every(([field, wanted]) => {
      const value = doc[field as keyof IdempotencyDoc];
      return wanted instanceof Date ? value instanceof Date && value.getTime() === wanted.getTime() : value === wanted;
    });
  }

  async insertOne(doc: IdempotencyDoc) {
    if (this.docs.has(doc._id)) throw new MongoServerError({ message: `E11000 duplicate key error: ${doc._id}`, code: 11000 });
    this.docs.set(doc._id, structuredClone(doc));
    return { acknowledged: true, insertedId: doc._id };
  }

  async findOne(filter: { _id: string }) {
    const doc = this.docs.get(filter._id);
    return doc ? structuredClone(doc) : null;
  }

  async deleteOne(filter: Partial<IdempotencyDoc>) {
    const doc = this.docs.get(filter._id!);
    if (!doc || !this.matches(doc, filter)) return { acknowledged: true, deletedCount: 0 };
    this.docs.delete(doc._id);
    return { acknowledged: true, deletedCount: 1 };
  }

  async updateOne(filter: Partial<IdempotencyDoc>, update: { $set: Partial<IdempotencyDoc> }) {
    const doc = this.docs.get(filter._id!);
    if (!doc || !this.matches(doc, filter)) return { acknowledged: true, matchedCount: 0, modifiedCount: 0 };
    Object.assign(doc, structuredClone(update.$set));
    return { acknowledged: true, matchedCount: 1, modifiedCount: 1 };
  }

  async createIndex() {
    return 'createdAt_1';
  }
}

type Claimed = Extract<IdempotencyClaim, { outcome: 'claimed' }>;
const fresh = (n: number) => ({ eventId: `evt_${n}`, eventTimestamp: new Date(1_700_000_000_000 + n).toISOString() });

function keysOn(options: ConstructorParameters<typeof IdempotencyKeys>[1]) {
  const store = new InMemoryKeys();
  return { store, keys: new IdempotencyKeys(store as unknown as Collection<IdempotencyDoc>, options) };
}

/** Settles a claim whose outcome is already decided (no time has to pass). */
async function settled<T>(promise: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(0);
  return promise;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-30T12:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('IdempotencyKeys (fake timers)', () => {
  it('makes a duplicate wait for the first request, then answers it with the first event', async () => {
    const { keys } = keysOn({ waitMs: 10_000, pollMs: 50 });
    const first = (await settled(keys.claim('ten_1', 'k', 'hash', fresh(1)))) as Claimed;
    expect(first).toMatchObject({ outcome: 'claimed', eventId: 'evt_1' });

    let duplicate: IdempotencyClaim | undefined;
    void keys.claim('ten_1', 'k', 'hash', fresh(2)).then((claim) => (duplicate = claim));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(duplicate).toBeUndefined(); // still waiting: the first has neither completed nor released

    await keys.complete(first);
    await vi.advanceTimersByTimeAsync(50); // one poll
    expect(duplicate).toEqual({ outcome: 'replayed', eventId: 'evt_1', eventTimestamp: fresh(1).eventTimestamp });
  });

  it('lets exactly one of ten concurrent claims produce; the others get its event once it completes', async () => {
    const { keys } = keysOn({ pollMs: 20 });
    const claims = Array.from({ length: 10 }, (_, i) => keys.claim('ten_1', 'k', 'hash', fresh(i)));
    await vi.advanceTimersByTimeAsync(0);
    const first = (await Promise.race(claims)) as Claimed;
    expect(first.outcome).toBe('claimed');
    await keys.complete(first);
    await vi.advanceTimersByTimeAsync(20);
    const outcomes = await Promise.all(claims);
    expect(outcomes.filter((c) => c.outcome === 'claimed')).toEqual([first]);
    expect(outcomes.filter((c) => c.outcome === 'replayed')).toHaveLength(9);
    expect(new Set(outcomes.map((c) => ('eventId' in c ? c.eventId : undefined)))).toEqual(new Set([first.eventId]));
  });

  it('answers busy when the first request is still producing after waitMs, and lets a retry in after a release', async () => {
    const { keys } = keysOn({ waitMs: 300, pollMs: 20 });
    const first = (await settled(keys.claim('ten_1', 'k', 'hash', fresh(1)))) as Claimed;
    let second: IdempotencyClaim | undefined;
    void keys.claim('ten_1', 'k', 'hash', fresh(2)).then((claim) => (second = claim));
    await vi.advanceTimersByTimeAsync(299);
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(21);
    expect(second).toEqual({ outcome: 'busy' });

    await keys.release(first);
    expect(await settled(keys.claim('ten_1', 'k', 'hash', fresh(3)))).toMatchObject({ outcome: 'claimed', eventId: 'evt_3' });
  });

  it('takes over a claim pending for the whole lease, with its event id; not a moment earlier', async () => {
    const { keys, store } = keysOn({ leaseMs: 60_000, waitMs: 0 });
    const abandoned = (await settled(keys.claim('ten_1', 'k', 'hash', fresh(1)))) as Claimed;
    vi.advanceTimersByTime(59_999);
    expect(await settled(keys.claim('ten_1', 'k', 'hash', fresh(2)))).toEqual({ outcome: 'busy' });
    vi.advanceTimersByTime(1);
    const takeover = (await settled(keys.claim('ten_1', 'k', 'hash', fresh(3)))) as Claimed;
    expect(takeover).toMatchObject({ outcome: 'claimed', eventId: 'evt_1', claimedAt: new Date() });
    // The abandoned owner can no longer complete or release what is now someone else's claim.
    await keys.release(abandoned);
    await keys.complete(abandoned);
    expect(store.docs.get(takeover.id)).toMatchObject({ state: 'pending', claimedAt: takeover.claimedAt });
    await keys.complete(takeover);
    expect(store.docs.get(takeover.id)?.state).toBe('done');
  });

  it('remembers a key for ttlMs: a reuse with another body is a mismatch until then, a new event after', async () => {
    const { keys } = keysOn({ ttlMs: 24 * 3600_000 });
    await keys.complete((await settled(keys.claim('ten_1', 'k', 'hash', fresh(1)))) as Claimed);
    expect(await settled(keys.claim('ten_1', 'k', 'hash', fresh(2)))).toMatchObject({ outcome: 'replayed', eventId: 'evt_1' });
    expect(await settled(keys.claim('ten_2', 'k', 'other', fresh(3)))).toMatchObject({ outcome: 'claimed', eventId: 'evt_3' });
    vi.advanceTimersByTime(24 * 3600_000 - 1);
    expect(await settled(keys.claim('ten_1', 'k', 'other', fresh(4)))).toEqual({ outcome: 'mismatch' });
    vi.advanceTimersByTime(1);
    expect(await settled(keys.claim('ten_1', 'k', 'other', fresh(5)))).toMatchObject({ outcome: 'claimed', eventId: 'evt_5' });
  });
});
