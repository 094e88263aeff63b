import type { Server } from 'node:http';
import { ApiError } from '@hookline/core';
import express, { type Response } from 'express';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AccessRules,
  closeServer,
  createHttpApp,
  createLogger,
  errorHandler,
  listen,
  mountRoutes,
  QuotaExceeded,
  RateLimit,
  RateLimited,
  routeDeclarer,
  TokenBuckets,
  withRateLimit,
} from '../src/index.js';

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

describe('quota and rateLimit on a route contract', () => {
  interface Types {
    caller: { tenant: string; role: string };
    owned: { thing: { id: string } };
  }
  const seen: string[] = [];
  const limit = new RateLimit('calls', { perSecond: 0.001, burst: 1 });
  const access: AccessRules<Types> = {
    async apiKey(req) {
      seen.push('auth');
      const tenant = req.headers.authorization?.slice('Bearer '.length);
      if (!tenant) throw new ApiError('unauthorized', 'who are you');
      return { tenant, role: tenant === 'viewer' ? 'viewer' : 'owner' };
    },
    async operator() {},
    configure(caller) {
      seen.push('role');
      if (caller.role !== 'owner') throw new ApiError('forbidden', 'owners only');
    },
    owners: {
      async thing(_caller, id) {
        seen.push('owns');
        return { id };
      },
    },
    rateLimits: {
      calls({ res, caller }) {
        seen.push('rate');
        limit.check(res, caller!.tenant);
      },
    },
    quotas: {
      things(caller) {
        seen.push('quota');
        if (caller.tenant === 'full') throw new QuotaExceeded('things', 1, 1);
      },
    },
  };
  const route = routeDeclarer<Types>();
  const make = route({
    method: 'post',
    path: '/things/:id/copies',
    summary: 'Copy a thing',
    tags: ['things'],
    auth: 'apiKey',
    owns: 'thing',
    role: 'configure',
    quota: 'things',
    rateLimit: 'calls',
    responses: { 201: { description: 'Made' } },
    async handler() {
      seen.push('handler');
      return { status: 201 };
    },
  });
  const logger = createLogger('limits-test', 'silent');
  const app = createHttpApp({ logger, metrics: new Registry() });
  app.use(express.json());
  mountRoutes(app, '', [make], access);
  app.use(errorHandler(logger));
  let server: Server | undefined;
  afterAll(async () => {
    if (server) await closeServer(server);
  });

  async function call(tenant: string) {
    if (!server) server = (await listen(app, 0)).server;
    const { port } = server.address() as { port: number };
    seen.length = 0;
    const response = await fetch(`http://127.0.0.1:${port}/things/th_1/copies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant}` },
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (response.status === 201 ? undefined : await response.json()) as { error: unknown } | undefined,
    };
  }

  it('checks the rate right after authentication and the quota after the role, before the handler', async () => {
    expect((await call('t1')).status).toBe(201);
    expect(seen).toEqual(['auth', 'rate', 'owns', 'role', 'quota', 'handler']);
    const full = await call('full');
    expect(full.status).toBe(403);
    expect(full.body?.error).toMatchObject({ code: 'quota_exceeded', details: { quota: 'things', limit: 1, used: 1 } });
    // A viewer is refused by its role before its tenant's quota is looked at.
    expect((await call('viewer')).status).toBe(403);
    expect(seen).toEqual(['auth', 'rate', 'owns', 'role']);
    const over = await call('t1');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(seen).toEqual(['auth', 'rate']);
  });

  it('refuses to mount a route whose quota or rate limit the access rules do not know', () => {
    const other = express();
    expect(() => mountRoutes(other, '', [{ ...make, quota: 'nope' }], access)).toThrow(/quota "nope"/);
    expect(() => mountRoutes(other, '', [{ ...make, rateLimit: 'nope' }], access)).toThrow(/rate limit "nope"/);
  });
});
