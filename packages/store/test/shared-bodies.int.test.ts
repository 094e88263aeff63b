import { describe, expect, it } from 'vitest';
import type { AttemptDoc } from '../src/attempt-docs.js';
import { unpackAttempt } from '../src/attempt-packing.js';
import type { Store } from '../src/index.js';
import { testAttempt } from './attempt-fixture.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('shared_bodies', (connected) => {
  store = connected;
});

const body = JSON.stringify({ type: 'order.created', data: { blob: 'y'.repeat(900) } });

/** An event fanned out to three endpoints: the same payload to each, stored once. */
describe('request bodies stored once per batch (real MongoDB-wire server)', () => {
  it('stores the body once and gives every delivery of it its full request', async () => {
    const sent = ['fan_a', 'fan_b', 'fan_c'].map((attemptId, i) =>
      testAttempt({ endpointId: `ep_fan_${i}`, attemptId, deliveryId: attemptId, request: { headers: { 'webhook-id': attemptId }, body } }),
    );
    await store.recordAttempts(sent, { partition: 0, offsets: ['0', '1', '2'] });

    const raw = (
      await store.attempts
        .find({ _id: { $in: ['fan_a', 'fan_b', 'fan_c'] } })
        .sort({ _id: 1 })
        .toArray()
    ).map(unpackAttempt);
    expect(raw.map((d) => (d.request as { bodyFrom?: string }).bodyFrom ?? d.request?.body.length)).toEqual([
      body.length,
      'fan_a',
      'fan_a',
    ]);
    for (const [i, attempt] of sent.entries()) {
      const [read] = await store.deliveryAttempts(`ep_fan_${i}`, attempt.deliveryId);
      expect(read!.request).toEqual({ headers: { 'webhook-id': attempt.attemptId }, body });
    }
    expect((await store.recentAttempts('ep_fan_2', 10))[0]!.request?.body).toBe(body);
  });

  it('never reads a body across tenants, and reads a reference whose keeper expired as an empty, cut body', async () => {
    const foreign = testAttempt({ endpointId: 'ep_x', attemptId: 'x_keeper', tenantId: 'tenant_x', request: { headers: {}, body } });
    const mine = { ...testAttempt({ endpointId: 'ep_mine', attemptId: 'mine_ref', deliveryId: 'mine_ref' }), _id: 'mine_ref' };
    const gone = { ...testAttempt({ endpointId: 'ep_mine', attemptId: 'mine_gone', deliveryId: 'mine_gone' }), _id: 'mine_gone' };
    await store.attempts.insertMany([
      { ...foreign, _id: 'x_keeper' },
      { ...mine, request: { headers: {}, bodyFrom: 'x_keeper' } } as unknown as AttemptDoc,
      { ...gone, request: { headers: {}, bodyFrom: 'expired_keeper' } } as unknown as AttemptDoc,
    ]);
    expect((await store.deliveryAttempts('ep_mine', 'mine_ref'))[0]!.request).toEqual({ headers: {}, body: '', bodyTruncated: true });
    expect((await store.deliveryAttempts('ep_mine', 'mine_gone'))[0]!.request).toEqual({ headers: {}, body: '', bodyTruncated: true });
  });
});
