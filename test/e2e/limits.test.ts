import { Hookline, requestJson, TestTenant } from '@hookline/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropNamespace } from './support/namespace-cleanup.js';

/**
 * Per-tenant quotas and per-process rate limits on the real stack, with limits low enough to reach:
 * the services of this file get their own small quotas and slow buckets (0.2 tokens/s, so nothing refills
 * while a test runs).
 */
const env = {
  HOOKLINE_QUOTA_ENDPOINTS: '2',
  HOOKLINE_QUOTA_API_KEYS: '3',
  HOOKLINE_QUOTA_EVENT_TYPES: '2',
  HOOKLINE_QUOTA_INCOMING_HOOKS: '1',
  INGEST_RATE_EVENTS_PER_SECOND: '0.2',
  INGEST_RATE_EVENTS_BURST: '5',
  INGEST_RATE_INCOMING_HOOK_PER_SECOND: '0.2',
  INGEST_RATE_INCOMING_HOOK_BURST: '2',
  CONFIG_API_RATE_PER_SECOND: '0.2',
  CONFIG_API_RATE_BURST: '40',
};

let hookline: Hookline;
let a: TestTenant;
let b: TestTenant;
/** A's incoming webhook (its token is shown once, at creation). */
let hookUrlA: string;

beforeAll(async () => {
  hookline = await Hookline.start({ infra: inject('infra'), env });
  [a, b] = await Promise.all([TestTenant.create(hookline, 'A'), TestTenant.create(hookline, 'B')]);
});
afterAll(async () => {
  await hookline?.stop();
  if (hookline) await dropNamespace(inject('infra'), hookline.namespace);
});

const endpoint = (name: string) => ({ name, url: 'http://127.0.0.2/hook', events: ['*'] });
const operator = (method: string, path: string, body?: unknown) =>
  requestJson(method, `${hookline.configApiUrl}/api/admin${path}`, { token: hookline.rootToken, ...(body === undefined ? {} : { body }) });

function expectQuotaExceeded(response: { status: number; body: { error: { message: string } } }, quota: string, limit: number) {
  expect(response.status).toBe(403);
  expect(response.body.error).toMatchObject({ code: 'quota_exceeded', details: { quota, limit, used: limit } });
  expect(response.body.error.message).toContain(`at most ${limit} ${quota}`);
}

describe('quotas', () => {
  it('refuses the endpoint over the quota with 403 quota_exceeded naming the quota and the limit; other tenants are not affected', async () => {
    expect((await a.admin('POST', '/webhooks', endpoint('one'))).status).toBe(201);
    expect((await a.admin('POST', '/webhooks', endpoint('two'))).status).toBe(201);
    expectQuotaExceeded(await a.admin('POST', '/webhooks', endpoint('three')), 'endpoints', 2);
    expect((await b.admin('POST', '/webhooks', endpoint('one'))).status).toBe(201);
    // Deleting one makes room again.
    const list = await a.admin('GET', '/webhooks');
    expect((await a.admin('DELETE', `/webhooks/${list.body.data[0].id}`)).status).toBe(204);
    expect((await a.admin('POST', '/webhooks', endpoint('three'))).status).toBe(201);
  });

  it('caps API keys (the owner key counts), event types and incoming webhooks', async () => {
    expect((await a.admin('POST', '/api-keys', { name: 'k1', role: 'viewer' })).status).toBe(201);
    expect((await a.admin('POST', '/api-keys', { name: 'k2', role: 'viewer' })).status).toBe(201);
    expectQuotaExceeded(await a.admin('POST', '/api-keys', { name: 'k3', role: 'viewer' }), 'apiKeys', 3);

    expect((await a.admin('POST', '/event-types', { name: 'order.created' })).status).toBe(201);
    expect((await a.admin('POST', '/event-types', { name: 'order.paid' })).status).toBe(201);
    expectQuotaExceeded(await a.admin('POST', '/event-types', { name: 'order.shipped' }), 'eventTypes', 2);

    const hook = await a.admin('POST', '/incoming-webhooks', { name: 'h1', eventType: 'order.created' });
    expect(hook.status).toBe(201);
    hookUrlA = hook.body.url;
    expectQuotaExceeded(await a.admin('POST', '/incoming-webhooks', { name: 'h2', eventType: 'order.created' }), 'incomingHooks', 1);
  });

  it('shows the tenant its quotas, and the operator overrides one per tenant (null restores the default)', async () => {
    const own = await a.admin('GET', '/quotas');
    expect(own.status).toBe(200);
    expect(own.body.data).toContainEqual({ quota: 'endpoints', limit: 2, used: 2, overridden: false });
    expect(own.body.data).toContainEqual({ quota: 'schedules', limit: 1000, used: 0, overridden: false });

    const raised = await operator('PUT', `/tenants/${a.id}/quotas`, { endpoints: 3 });
    expect(raised.status).toBe(200);
    expect(raised.body.data).toContainEqual({ quota: 'endpoints', limit: 3, used: 2, overridden: true });
    // The override reaches the config-api's view through the config topic: the next create fits.
    expect((await a.admin('POST', '/webhooks', endpoint('four'))).status).toBe(201);
    expectQuotaExceeded(await a.admin('POST', '/webhooks', endpoint('five')), 'endpoints', 3);
    // B keeps the default.
    expect((await b.admin('POST', '/webhooks', endpoint('two'))).status).toBe(201);
    expectQuotaExceeded(await b.admin('POST', '/webhooks', endpoint('three')), 'endpoints', 2);

    const restored = await operator('PUT', `/tenants/${a.id}/quotas`, { endpoints: null });
    expect(restored.body.data).toContainEqual({ quota: 'endpoints', limit: 2, used: 3, overridden: false });
    expect((await operator('PUT', '/tenants/ten_missing/quotas', { endpoints: 1 })).status).toBe(404);
    expect((await a.admin('PUT', `/tenants/${a.id}/quotas`, { endpoints: 100 })).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('ingest counts each event of a batch: a tenant over its rate gets 429 with Retry-After while another gets 202', async () => {
    const batch = await requestJson('POST', `${hookline.ingestUrl}/v1/events/batch`, {
      token: a.apiKey,
      body: { events: Array.from({ length: 5 }, (_, i) => ({ type: 'order.created', data: { i } })) },
    });
    expect(batch.status).toBe(202);
    expect(batch.headers.get('ratelimit-limit')).toBe('5');
    expect(batch.headers.get('ratelimit-remaining')).toBe('0');

    const [over, other] = await Promise.all([
      requestJson('POST', `${hookline.ingestUrl}/v1/events`, { token: a.apiKey, body: { type: 'order.created', data: {} } }),
      requestJson('POST', `${hookline.ingestUrl}/v1/events`, { token: b.apiKey, body: { type: 'order.created', data: {} } }),
    ]);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(other.status).toBe(202);
  });

  it('incoming webhooks are limited per hook: a hook over its rate gets 429 while another hook gets 202', async () => {
    const created = await b.admin('POST', '/incoming-webhooks', { name: 'h', eventType: 'thing.happened' });
    expect(created.status).toBe(201);
    const post = (path: string) => requestJson('POST', `${hookline.ingestUrl}${path}`, { body: { hello: 'world' } });
    expect((await post(hookUrlA)).status).toBe(202);
    expect((await post(hookUrlA)).status).toBe(202);
    const [over, other] = await Promise.all([post(hookUrlA), post(created.body.url)]);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(other.status).toBe(202);
  });

  it('the admin API is limited per API key: a key over its rate gets 429 while another key of the same tenant gets 200', async () => {
    const minted = await b.admin('POST', '/api-keys', { name: 'busy', role: 'viewer' });
    expect(minted.status).toBe(201);
    const me = () => requestJson('GET', `${hookline.configApiUrl}/api/admin/me`, { token: minted.body.key });
    // The burst (40) passes; a token comes back every 5 s, so the refusal comes right after it.
    let passed = 0;
    while ((await me()).status === 200 && passed < 100) passed++;
    expect(passed).toBeGreaterThanOrEqual(40);
    expect(passed).toBeLessThan(45);
    const [over, owner] = await Promise.all([me(), b.admin('GET', '/me')]);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(owner.status).toBe(200);
  });
});
