import type { Response } from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimit, RateLimited, TokenBuckets, withRateLimit } from '../src/index.js';

describe('TokenBuckets', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets the burst through, then refills at the rate', () => {
    const buckets = new TokenBuckets({ perSecond: 2, burst: 4 });
    for (let i = 0; i < 4; i++) expect(buckets.take('t1').allowed).toBe(true);
    const refused = buckets.take('t1');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    // Another key has its own bucket.
    expect(buckets.take('t2').allowed).toBe(true);
    vi.advanceTimersByTime(500);
    expect(buckets.take('t1').allowed).toBe(true);
    expect(buckets.take('t1').allowed).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(buckets.take('t1', 4)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('lets a cost above the burst through from a full bucket and makes the next caller wait for the debt', () => {
    const buckets = new TokenBuckets({ perSecond: 10, burst: 5 });
    expect(buckets.take('t1', 25).allowed).toBe(true);
    // 20 tokens of debt plus one to take: 2.1 s.
    expect(buckets.take('t1')).toMatchObject({ allowed: false, retryAfterSeconds: 3 });
    vi.advanceTimersByTime(2_000);
    expect(buckets.take('t1').allowed).toBe(false);
    vi.advanceTimersByTime(100);
    expect(buckets.take('t1').allowed).toBe(true);
  });

  it('keeps at most maxKeys buckets, forgetting the least recently used (which comes back full)', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, 2);
    buckets.take('a');
    buckets.take('b');
    buckets.take('a');
    buckets.take('c');
    expect(buckets.size).toBe(2);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });
});

describe('RateLimit', () => {
  it('sets the RateLimit headers and, when refusing, Retry-After and a typed 429', () => {
    const headers: Record<string, string> = {};
    const res = { set: (h: Record<string, string> | string, v?: string) => Object.assign(headers, typeof h === 'string' ? { [h]: v } : h) };
    const limit = new RateLimit('events', { perSecond: 1, burst: 2 }, { now: () => 0 });
    limit.check(res as unknown as Response, 't1');
    expect(headers).toEqual({ 'RateLimit-Limit': '2', 'RateLimit-Remaining': '1', 'RateLimit-Reset': '1' });
    limit.check(res as unknown as Response, 't1');
    let error: unknown;
    try {
      limit.check(res as unknown as Response, 't1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RateLimited);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 1 });
    expect(headers['Retry-After']).toBe('1');
  });

  it('withRateLimit gives the limit only to the routes it applies to, and keeps a route’s own', () => {
    const base = { method: 'get' as const, summary: '', tags: [], responses: {}, handler: async () => ({ status: 200 }) };
    const routes = withRateLimit(
      [
        { ...base, path: '/a', auth: 'apiKey' },
        { ...base, path: '/b', auth: 'operator' },
        { ...base, path: '/c', auth: 'apiKey', rateLimit: 'own' },
      ],
      'admin',
      (r) => r.auth === 'apiKey',
    );
    expect(routes.map((r) => r.rateLimit)).toEqual(['admin', undefined, 'own']);
  });
});
