import { resolvePolicy, type AttemptRecord, type EndpointRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { EndpointLimiter } from '../src/limiter.js';
import { nextStep, parseRetryAfter } from '../src/outcome.js';
import { SsrfGuard } from '../src/ssrf.js';

const endpoint = (over: Partial<EndpointRecord> = {}): EndpointRecord => ({
  kind: 'endpoint', id: 'ep', tenantId: 't', name: 'n', url: 'https://example.com', events: ['*'], secrets: [{ secret: 's' }], isActive: true, createdAt: '', updatedAt: '', ...over,
});
const attempt = (over: Partial<AttemptRecord>): AttemptRecord => ({
  attemptId: 'a', deliveryId: 'd', eventId: 'e', eventType: 't', endpointId: 'ep', tenantId: 't', attempt: 1, url: '', startedAt: '', durationMs: 1, outcome: 'failure', final: false, ...over,
});

describe('nextStep', () => {
  const policy = resolvePolicy(endpoint({ profile: 'twig' }));

  it('follows the profile schedule and dead-letters when it is exhausted', () => {
    expect(nextStep(attempt({ statusCode: 500 }), policy)).toMatchObject({ kind: 'retry', attempt: 2, tier: '5s' });
    expect(nextStep(attempt({ statusCode: 503, attempt: 4 }), policy)).toMatchObject({ kind: 'retry', attempt: 5, tier: '1h' });
    expect(nextStep(attempt({ statusCode: 503, attempt: 5 }), policy)).toMatchObject({ kind: 'dead-letter', reason: expect.stringMatching(/after 5 attempts/) });
  });

  it('retries network errors, timeouts, 408, 429 and 5xx, and nothing else', () => {
    for (const retryable of [attempt({ errorClass: 'econnreset' }), attempt({ errorClass: 'etimedout' }), attempt({ statusCode: 408 }), attempt({ statusCode: 429 }), attempt({ statusCode: 502 })]) {
      expect(nextStep(retryable, policy).kind).toBe('retry');
    }
    for (const final of [attempt({ statusCode: 400 }), attempt({ statusCode: 404 }), attempt({ statusCode: 301 }), attempt({ errorClass: 'edestinationrefused' })]) {
      expect(nextStep(final, policy).kind).toBe('dead-letter');
    }
    expect(nextStep(attempt({ outcome: 'success', statusCode: 200 }), policy).kind).toBe('done');
  });

  it('honours Retry-After by choosing a long enough tier', () => {
    expect(nextStep(attempt({ statusCode: 429 }), policy, 60_000)).toMatchObject({ kind: 'retry', tier: '5m' });
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('resolvePolicy', () => {
  it('applies endpoint overrides on top of the profile', () => {
    expect(resolvePolicy(endpoint())).toMatchObject({ payloadFormat: 'standard', signature: { kind: 'standard-webhooks' } });
    expect(resolvePolicy(endpoint({ profile: 'taskapp' }))).toMatchObject({ disableAfterConsecutiveFailures: 3, retryTiers: ['1m', '5m', '30m'] });
    expect(resolvePolicy(endpoint({ signatureHeaderName: 'x-thig-sig' })).signature).toEqual({ kind: 'hmac-sha256-hex', headerName: 'x-thig-sig' });
    expect(resolvePolicy(endpoint({ profile: 'threadhound', retrySchedule: ['5s'], disableAfterConsecutiveFailures: null }))).toMatchObject({ retryDelaysMs: [5000], disableAfterConsecutiveFailures: null });
  });
});

describe('SsrfGuard', () => {
  const guard = new SsrfGuard({ allowCidrs: [], requireHttps: false });

  it.each(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '0.0.0.0', '224.0.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '100.64.0.1'])(
    'refuses %s',
    (address) => {
      expect(() => guard.checkAddress(address)).toThrow(/refused by the SSRF guard/);
    },
  );

  it('allows public addresses, and private ones only through the allow-list', () => {
    expect(() => guard.checkAddress('93.184.216.34')).not.toThrow();
    expect(() => guard.checkAddress('2606:2800:220:1::1')).not.toThrow();
    const dev = new SsrfGuard({ allowCidrs: ['127.0.0.0/8'], requireHttps: false });
    expect(() => dev.checkAddress('127.0.0.1')).not.toThrow();
    expect(() => dev.checkAddress('10.0.0.1')).toThrow();
  });

  it('checks IP-literal URLs and the scheme before any connection', () => {
    expect(() => guard.checkUrl(new URL('http://169.254.169.254/latest/meta-data'))).toThrow();
    expect(() => guard.checkUrl(new URL('http://[::1]:8080/'))).toThrow();
    expect(() => new SsrfGuard({ allowCidrs: [], requireHttps: true }).checkUrl(new URL('http://example.com/'))).toThrow(/https is required/);
  });

  it('refuses a hostname that resolves to loopback', async () => {
    const error = await new Promise<Error | null>((resolve) => guard.lookup('localhost', {}, (e) => resolve(e)));
    expect(error?.message).toMatch(/refused by the SSRF guard/);
  });
});

describe('EndpointLimiter', () => {
  it('never runs more than its concurrency at once', async () => {
    const limiter = new EndpointLimiter(3, undefined);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('spaces starts to the rate limit', async () => {
    const limiter = new EndpointLimiter(100, 20);
    const started = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => limiter.run(async () => undefined)));
    // 20 tokens at once, then 10 more at 20/s: about half a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});
