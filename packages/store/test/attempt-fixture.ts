import type { AttemptRecord } from '@hookline/core';

let seq = 0;

/**
 * An attempt record for the store's tests, with ids of its own at each call (`msg_<n>.1`) and, by default, a
 * first attempt of endpoint `endpointId` that succeeded in 10 ms; `over` sets what a test is about.
 */
export function testAttempt(over: Partial<AttemptRecord> & Pick<AttemptRecord, 'endpointId'>): AttemptRecord {
  seq++;
  const outcome = over.outcome ?? 'success';
  return {
    attemptId: `msg_${seq}.1`,
    deliveryId: `msg_${seq}`,
    eventId: `evt_${seq}`,
    eventType: 'a.b',
    tenantId: 't',
    attempt: 1,
    url: 'http://127.0.0.1:9/hook',
    startedAt: new Date(1_700_000_000_000 + seq).toISOString(),
    durationMs: 10,
    outcome,
    final: true,
    ...(outcome === 'failure' ? { statusCode: 500, errorMessage: 'receiver answered 500' } : { statusCode: 200 }),
    ...over,
  };
}
