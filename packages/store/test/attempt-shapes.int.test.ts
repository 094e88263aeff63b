import { describe, expect, it } from 'vitest';
import type { AttemptDoc } from '../src/attempt-docs.js';
import { attemptFeed, type Store } from '../src/index.js';
import { testAttempt } from './attempt-fixture.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('attempt_shapes', (connected) => {
  store = connected;
});

const body = JSON.stringify({ type: 'order.created', data: { blob: 'z'.repeat(600) } });
const later = () => new Date(Date.now() + 60_000).toISOString();

/** Attempts in both stored shapes (real MongoDB-wire server): what a projector before round 18 wrote stays readable. */
describe('the attempt log across its two stored shapes', () => {
  it('stores a new attempt packed and reads it back whole from every reader', async () => {
    const sent = testAttempt({
      tenantId: 't_new',
      endpointId: 'ep_new',
      responseHeaders: { 'content-type': 'text/plain' },
      request: { headers: { 'webhook-id': 'x' }, body },
    });
    await store.recordAttempts([sent], { partition: 0, offsets: ['0'] });

    const raw = await store.attempts.findOne({ _id: sent.attemptId });
    expect(raw).toMatchObject({ endpointId: 'ep_new', deliveryId: sent.deliveryId, startedAt: sent.startedAt });
    expect(raw).not.toHaveProperty('request');
    expect(raw).not.toHaveProperty('url');
    expect(typeof (raw as { detail?: unknown }).detail).toBe('string');

    const expected = expect.objectContaining({ ...sent, _id: sent.attemptId });
    expect(await store.deliveryAttempts('ep_new', sent.deliveryId)).toEqual([expected]);
    expect(await store.recentAttempts('ep_new', 5)).toEqual([expected]);
    expect(await store.waitForAttempt(sent.attemptId, 1_000)).toEqual(expected);
    expect(await attemptFeed(store.attempts, { tenantId: 't_new', limit: 5, settledBefore: later() })).toEqual([expected]);
  });

  it('reads attempts of the first shape (every field its own), also bodies they keep for packed attempts', async () => {
    const old = testAttempt({ tenantId: 't_old', endpointId: 'ep_old', request: { headers: { 'webhook-id': 'o' }, body } });
    const oldDoc = { ...old, _id: old.attemptId, recordedAt: '2026-12-01T00:00:00.000Z', projectedFrom: '0:1' };
    await store.attempts.insertOne(oldDoc);
    const expected = expect.objectContaining({ ...old, _id: old.attemptId });
    expect(await store.deliveryAttempts('ep_old', old.deliveryId)).toEqual([expected]);
    expect(await store.recentAttempts('ep_old', 5)).toEqual([expected]);
    expect(await store.waitForAttempt(old.attemptId, 1_000)).toEqual(expected);
    expect(await attemptFeed(store.attempts, { tenantId: 't_old', limit: 5, settledBefore: later() })).toEqual([expected]);

    // A packed attempt whose body is kept by another packed one: the reference is followed through `detail`.
    const [keeper, sharer] = ['ep_k', 'ep_s'].map((endpointId) =>
      testAttempt({ tenantId: 't_mix', endpointId, request: { headers: {}, body } }),
    ) as [AttemptDoc, AttemptDoc];
    await store.recordAttempts([keeper, sharer], { partition: 1, offsets: ['0', '1'] });
    expect((await store.deliveryAttempts('ep_s', sharer.deliveryId))[0]!.request).toEqual({ headers: {}, body });
  });
});
