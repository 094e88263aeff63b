import { describe, expect, it } from 'vitest';
import { type EndpointSpec, expectNothingLost, healthy, useFaultBench } from './support/bench.js';

/**
 * Receivers that misbehave, next to healthy ones under the same load: each misbehaviour ends as a retry and a
 * dead letter with a reason (or, for a huge body, a delivery whose body was read only up to the cap), and the
 * healthy endpoints get everything.
 */
const bench = useFaultBench();

// Three attempts at most, a 3 s deadline (loose: the machine is shared), enough concurrency that hanging requests do not queue for long, and
// no auto-disable (that would park the rest with another reason).
const failing = { retrySchedule: ['1s', '1s'], timeoutMs: 3_000, maxConcurrency: 50, disableAfterConsecutiveFailures: null };
const firstAttempts = new Set<string>();

const misbehaving: EndpointSpec[] = [
  {
    label: 'resets',
    reply: () => ({ reset: true }),
    overrides: failing,
    expect: 'dead-lettered',
    reason: /retries exhausted after 3 attempts/,
  },
  {
    label: 'resets-first-attempt',
    // Each delivery's first request is reset, the retry succeeds.
    reply: (request) => {
      const id = String(request.headers['webhook-id']);
      if (firstAttempts.has(id)) return { status: 200 };
      firstAttempts.add(id);
      return { reset: true };
    },
    overrides: failing,
  },
  // 64 bytes at one per 100 ms: the whole exchange's deadline cuts it off, however steadily bytes come.
  {
    label: 'dribbles',
    reply: () => ({ status: 200, body: 'x'.repeat(64), dribbleMs: 100 }),
    overrides: failing,
    expect: 'dead-lettered',
    reason: /retries exhausted.*timeout/,
  },
  // Redirects are answers: dead-lettered at once, never followed (nothing listens at the Location).
  {
    label: '301',
    reply: () => ({ status: 301, headers: { location: 'http://127.0.0.1:9/moved' } }),
    overrides: failing,
    expect: 'dead-lettered',
    reason: /not retryable.*301 \(redirects are not followed/,
  },
  {
    label: '302',
    reply: () => ({ status: 302, headers: { location: 'http://127.0.0.1:9/found' } }),
    overrides: failing,
    expect: 'dead-lettered',
    reason: /not retryable.*302 \(redirects are not followed/,
  },
  // Read only up to the excerpt cap, then the connection is dropped: delivered, and the sender not slowed.
  { label: 'huge-body', reply: () => ({ status: 200, bodyBytes: 20 * 1024 * 1024 }), overrides: failing },
  {
    label: 'never-answers',
    reply: () => ({ hang: true }),
    overrides: failing,
    expect: 'dead-lettered',
    reason: /retries exhausted.*timeout/,
  },
];

describe('misbehaving receivers', () => {
  it('are retried or dead-lettered with a reason, redirects never followed, and healthy endpoints get everything', async () => {
    const summary = await bench.run({
      name: 'receivers',
      events: bench.profile.receiverEvents,
      perSecond: 20,
      endpoints: [...healthy(bench.profile.endpoints), ...misbehaving],
    });
    expectNothingLost(summary);
    expect(summary.accepted).toBe(summary.eventsSent);
    expect(summary.deadLettered).toBe(summary.accepted * 5);
  });
});
