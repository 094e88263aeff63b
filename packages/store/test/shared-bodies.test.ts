import { describe, expect, it } from 'vitest';
import type { AttemptDoc } from '../src/attempt-docs.js';
import { shareBodies } from '../src/shared-bodies.js';
import { testAttempt } from './attempt-fixture.js';

const payload = JSON.stringify({ type: 'order.created', data: { blob: 'x'.repeat(900) } });
const doc = (attemptId: string, over: Partial<AttemptDoc> = {}): AttemptDoc => {
  const attempt = testAttempt({
    endpointId: `ep_${attemptId}`,
    attemptId,
    request: { headers: { 'webhook-id': attemptId }, body: payload },
  });
  return { _id: attemptId, ...attempt, ...over };
};

describe('shareBodies', () => {
  it("keeps a body repeated in one tenant's batch once, in the first attempt, and names it in the others", () => {
    const [a, b, c] = shareBodies([doc('a'), doc('b'), doc('c')]);
    expect(a!.request).toEqual({ headers: { 'webhook-id': 'a' }, body: payload });
    expect(b!.request).toEqual({ headers: { 'webhook-id': 'b' }, bodyFrom: 'a' });
    expect(c!.request).toEqual({ headers: { 'webhook-id': 'c' }, bodyFrom: 'a' });
  });

  it("never names another tenant's attempt, and leaves short or single bodies in place", () => {
    const short = { headers: {}, body: '{"a":1}' };
    const docs = shareBodies([doc('a'), doc('b', { tenantId: 'other' }), doc('c', { request: short }), doc('d', { request: short })]);
    expect(docs.map((d) => d.request?.bodyFrom)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
