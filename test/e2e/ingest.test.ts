import { type ChildProcess, spawn } from 'node:child_process';
import { deliveryIdFor } from '@hookline/core';
import { eventually, freePort, type Receiver, repoRoot, requestJson, serviceNodeArgs } from '@hookline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { sentinelEvent, settleWithSentinel } from './support/settle.js';

/**
 * Ingest beyond the single event: Idempotency-Key across two ingest instances, batches, and incoming
 * webhooks created on config-api, each checked by what subscribers actually receive.
 */
const ctx = useHookline();

async function subscribed(events: string[], extra: Record<string, unknown> = {}): Promise<{ receiver: Receiver; endpointId: string }> {
  const receiver = await ctx.receiver();
  const { id } = await ctx.tenant.createEndpoint({ url: receiver.url, events, ...extra });
  return { receiver, endpointId: id };
}

const payloadOf = (receiver: Receiver) => receiver.requests.map((r) => JSON.parse(r.body) as { type: string; data: unknown });

describe('Idempotency-Key on POST /v1/events', () => {
  // A second ingest process on the same topics and database: the key must hold across instances.
  let secondIngest: ChildProcess;
  let secondIngestUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    secondIngestUrl = `http://127.0.0.1:${port}`;
    secondIngest = spawn(process.execPath, serviceNodeArgs('ingest', process.env.HOOKLINE_SERVICES_FROM_BUILD === '1'), {
      cwd: repoRoot,
      env: { ...ctx.hookline.env('ingest'), INGEST_PORT: String(port) },
      stdio: 'ignore',
    });
    await eventually(
      () =>
        fetch(`${secondIngestUrl}/health`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
    );
  });
  afterAll(async () => {
    if (!secondIngest || secondIngest.exitCode !== null) return;
    const exited = new Promise((resolve) => secondIngest.once('exit', resolve));
    secondIngest.kill('SIGTERM');
    await exited;
  });

  const post = (url: string, key: string, body: unknown) =>
    requestJson('POST', `${url}/v1/events`, { token: ctx.tenant.apiKey, body, headers: { 'idempotency-key': key } });

  it('accepts ten concurrent requests with one key as one event, delivered once', async () => {
    const { receiver } = await subscribed(['idem.*']);
    const body = { type: 'idem.checked', data: { order: 42 } };
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(i % 2 ? secondIngestUrl : ctx.hookline.ingestUrl, 'order-42', body)),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);

    // A duplicate from either instance would be on the events topic before the sentinel, and arrive before it.
    const { others } = await settleWithSentinel(receiver, sentinelEvent(ctx.tenant, 'idem.sentinel'));
    expect(others).toHaveLength(1);
    expect(JSON.parse(others[0]!.body)).toMatchObject(body);

    // A later retry with the key still answers the same id and produces nothing.
    const retry = await post(ctx.hookline.ingestUrl, 'order-42', body);
    expect({ status: retry.status, id: retry.body.id }).toEqual({ status: 200, id: [...ids][0] });
  });

  it('refuses a reused key with a different body (409) and malformed keys (422)', async () => {
    expect((await post(ctx.hookline.ingestUrl, 'order-43', { type: 'idem.checked', data: { n: 1 } })).status).toBe(202);
    const reused = await post(secondIngestUrl, 'order-43', { type: 'idem.checked', data: { n: 2 } });
    expect({ status: reused.status, code: reused.body.error?.code }).toEqual({ status: 409, code: 'conflict' });
    for (const key of ['x'.repeat(256), 'caf\u00e9']) {
      const bad = await post(ctx.hookline.ingestUrl, key, { type: 'idem.checked', data: {} });
      expect({ status: bad.status, code: bad.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
    }
  });
});

describe('POST /v1/events/batch', () => {
  const postBatch = (events: unknown) =>
    requestJson('POST', `${ctx.hookline.ingestUrl}/v1/events/batch`, { token: ctx.tenant.apiKey, body: { events } });

  it('accepts valid events in one request and they are delivered in order', async () => {
    const { receiver, endpointId } = await subscribed(['batch.*'], { maxConcurrency: 1 });
    const events = [0, 1, 2].map((n) => ({ type: 'batch.item', data: { n } }));
    const response = await postBatch(events);
    expect(response.status).toBe(202);
    expect(response.body.ids).toHaveLength(3);
    await receiver.waitForRequests(3, 60_000);
    expect(payloadOf(receiver).map((p) => p.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(
      response.body.ids.map((id: string) => deliveryIdFor(id, endpointId)),
    );
  });

  it('rejects the whole batch when one item is invalid, naming it, and produces nothing', async () => {
    const { receiver } = await subscribed(['rejected.*']);
    const response = await postBatch([
      { type: 'rejected.item', data: {} },
      { type: 'not valid!', data: {} },
      { type: 'rejected.item', data: {} },
    ]);
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toEqual(['events.1.type']);
    expect((await postBatch([])).status).toBe(422);
    const { others } = await settleWithSentinel(receiver, sentinelEvent(ctx.tenant, 'rejected.sentinel'));
    expect(others).toHaveLength(0);
  });
});

describe('incoming webhooks', () => {
  let hook: { id: string; url: string; token: string; eventType: string };
  let receiver: Receiver;
  const incoming = (path: string, init: { method?: string; body?: string; contentType?: string } = {}) =>
    fetch(`${ctx.hookline.ingestUrl}${path}`, {
      method: init.method ?? 'POST',
      ...(init.body !== undefined ? { body: init.body, headers: { 'content-type': init.contentType ?? 'application/json' } } : {}),
    });

  beforeAll(async () => {
    ({ receiver } = await subscribed(['form.*']));
    const created = await ctx.tenant.admin('POST', '/incoming-webhooks', { name: 'contact form', eventType: 'form.submitted' });
    expect(created.status).toBe(201);
    hook = created.body;
    expect(hook.url).toBe(`/api/webhooks/incoming/${hook.token}`);
  });

  it('turns a JSON body and a form body into events of the hook type', async () => {
    const json = await incoming(hook.url, { body: JSON.stringify({ email: 'ada@hookline.test', tags: ['a'] }) });
    expect(json.status).toBe(202);
    expect(((await json.json()) as { id: string }).id).toMatch(/^evt_/);
    await receiver.waitForRequests(1, 60_000);
    const form = await incoming(hook.url, {
      body: 'name=Ada+Lovelace&plan=pro&plan=team',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(202);
    await receiver.waitForRequests(2, 60_000);
    expect(payloadOf(receiver)).toMatchObject([
      { type: 'form.submitted', data: { email: 'ada@hookline.test', tags: ['a'] } },
      { type: 'form.submitted', data: { name: 'Ada Lovelace', plan: 'team' } },
    ]);
  });

  it('maps body fields into the event data when the hook has a mapping', async () => {
    const { receiver: mapped } = await subscribed(['issue.*']);
    const created = await ctx.tenant.admin('POST', '/incoming-webhooks', {
      name: 'tracker',
      eventType: 'issue.created',
      mapping: { title: 'issue.title', 'reporter.login': 'sender.login' },
    });
    expect(created.status).toBe(201);
    const response = await incoming(created.body.url, {
      body: JSON.stringify({ issue: { title: 'Bug report', body: 'long' }, sender: { login: 'ada' } }),
    });
    expect(response.status).toBe(202);
    await mapped.waitForRequests(1, 60_000);
    expect(payloadOf(mapped)[0]).toMatchObject({ type: 'issue.created', data: { title: 'Bug report', reporter: { login: 'ada' } } });
    expect(payloadOf(mapped)[0]!.data).not.toHaveProperty('issue');
    const bad = await ctx.tenant.admin('POST', '/incoming-webhooks', { name: 'x', eventType: 'issue.x', mapping: { 'bad target!': 'a' } });
    expect(bad.status).toBe(422);
    expect((await ctx.tenant.admin('DELETE', `/incoming-webhooks/${created.body.id}`)).status).toBe(204);
  });

  it('answers verification challenges without producing an event', async () => {
    const before = receiver.requests.length;
    const get = await incoming(`${hook.url}?challenge=xyz`, { method: 'GET' });
    expect({ status: get.status, type: get.headers.get('content-type'), body: await get.text() }).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
      body: 'xyz',
    });
    const slack = await incoming(hook.url, { body: JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 't' }) });
    expect({ status: slack.status, body: await slack.json() }).toEqual({ status: 200, body: { challenge: 'abc' } });
    const { others } = await settleWithSentinel(receiver, sentinelEvent(ctx.tenant, 'form.sentinel'));
    expect(others).toHaveLength(before);
  });

  it('answers unknown tokens 404 and bad bodies 415/422', async () => {
    for (const method of ['GET', 'POST']) {
      const response = await incoming(`/api/webhooks/incoming/${'A'.repeat(43)}?challenge=x`, {
        method,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect({ method, status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code }).toEqual({
        method,
        status: 404,
        code: 'not_found',
      });
    }
    expect((await incoming(hook.url, { body: 'hello', contentType: 'text/plain' })).status).toBe(415);
    expect((await incoming(hook.url, { body: '"just a string"' })).status).toBe(422);
    expect((await incoming(hook.url, { body: '{"broken": ' })).status).toBe(400);
  });

  it('is managed by owners and admins only, never shows tokens again, and stops working once deleted', async () => {
    // Roles that may not change configuration (a `member` key of the previous shape is a viewer; new ones are refused).
    for (const role of ['publisher', 'viewer']) {
      const key = (await ctx.tenant.admin('POST', '/api-keys', { name: role, role })).body.key;
      const call = (method: string, path: string, body?: unknown) =>
        requestJson(method, `${ctx.hookline.configApiUrl}/api/admin${path}`, { token: key, ...(body === undefined ? {} : { body }) });
      expect((await call('POST', '/incoming-webhooks', { name: 'x', eventType: 'form.x' })).status).toBe(403);
      expect((await call('DELETE', `/incoming-webhooks/${hook.id}`)).status).toBe(403);
      expect((await call('GET', '/incoming-webhooks')).status).toBe(200);
    }
    const listed = await ctx.tenant.admin('GET', '/incoming-webhooks');
    expect(listed.body.data).toEqual([expect.objectContaining({ id: hook.id, name: 'contact form', eventType: 'form.submitted' })]);
    expect(JSON.stringify(listed.body)).not.toMatch(/token/i);
    expect((await ctx.tenant.admin('POST', '/incoming-webhooks', { name: 'x', eventType: 'not valid!' })).status).toBe(422);

    expect((await ctx.tenant.admin('DELETE', `/incoming-webhooks/${hook.id}`)).status).toBe(204);
    // Ingest learns of the deletion from the config topic, a moment later.
    await eventually(async () => (await incoming(`${hook.url}?challenge=x`, { method: 'GET' })).status === 404, 10_000);
  });
});
