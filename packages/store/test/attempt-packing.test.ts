import { describe, expect, it } from 'vitest';
import type { AttemptDoc } from '../src/attempt-docs.js';
import { packAttempt, unpackAttempt } from '../src/attempt-packing.js';
import { testAttempt } from './attempt-fixture.js';

function stored(over: Partial<AttemptDoc> = {}): AttemptDoc & { projectedFrom: string } {
  const attempt = testAttempt({
    endpointId: 'ep_pack',
    outcome: 'failure',
    errorClass: 'HttpStatus',
    responseExcerpt: 'nope',
    responseHeaders: { 'content-type': 'text/plain' },
    request: { headers: { 'webhook-id': 'msg_1', 'content-type': 'application/json' }, body: '{"a":1}' },
  });
  return { ...attempt, _id: attempt.attemptId, recordedAt: '2026-12-04T00:00:00.000Z', projectedFrom: '0:7', ...over };
}

describe('attempts packed for the store (second shape)', () => {
  it('keeps as fields only what queries use, and the rest in one string', () => {
    const packed = packAttempt(stored());
    expect(Object.keys(packed).sort()).toEqual(
      [
        '_id',
        'attempt',
        'deliveryId',
        'detail',
        'endpointId',
        'eventId',
        'outcome',
        'projectedFrom',
        'recordedAt',
        'startedAt',
        'tenantId',
      ].sort(),
    );
    expect(typeof packed.detail).toBe('string');
    expect(packed.detail).not.toContain('attemptId');
  });

  it('reads back the attempt it packed, field for field', () => {
    const doc = stored();
    expect(unpackAttempt(packAttempt(doc))).toEqual(doc);
  });

  it('drops fields that are undefined instead of storing them', () => {
    const doc = stored({ statusCode: undefined });
    expect(unpackAttempt(packAttempt(doc))).toEqual(Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'statusCode')));
  });

  it('reads a document of the first shape (every field its own) as it is', () => {
    const doc = stored();
    expect(unpackAttempt(doc)).toBe(doc);
  });

  it('reads a projection of a packed document (the fields asked for and the detail)', () => {
    const { _id, tenantId, detail } = packAttempt(stored());
    expect(unpackAttempt({ _id, tenantId, detail } as never).request?.body).toBe('{"a":1}');
  });
});
