import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, repoRoot, requestJson } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

const ctx = useHookline();

describe('GET /openapi.json', () => {
  it('is served by config-api and ingest as OpenAPI 3.1', async () => {
    for (const [base, path] of [
      [ctx.hookline.configApiUrl, '/api/admin/webhooks'],
      [ctx.hookline.ingestUrl, '/v1/events'],
    ] as const) {
      const res = await requestJson('GET', `${base}/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(res.body.paths[path]).toBeDefined();
    }
  });
});

describe('requests the APIs cannot take (docs/api-errors.md)', () => {
  it('answer an unsupported method on a known path with 405 and Allow, on both services', async () => {
    const cases = [
      ['PUT', `${ctx.hookline.configApiUrl}/api/admin/webhooks`, 'GET, HEAD, POST, OPTIONS'],
      ['POST', `${ctx.hookline.configApiUrl}/api/admin/stats`, 'GET, HEAD, OPTIONS'],
      ['DELETE', `${ctx.hookline.ingestUrl}/v1/events`, 'POST, OPTIONS'],
      ['PUT', `${ctx.hookline.ingestUrl}/api/webhooks/incoming/some-token`, 'GET, HEAD, POST, OPTIONS'],
    ] as const;
    for (const [method, url, allow] of cases) {
      const res = await requestJson(method, url, { token: ctx.tenant.apiKey });
      expect([res.status, res.body.error.code, res.headers.get('allow')], `${method} ${url}`).toEqual([405, 'method_not_allowed', allow]);
    }
    const options = await requestJson('OPTIONS', `${ctx.hookline.configApiUrl}/api/admin/webhooks`);
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, HEAD, POST, OPTIONS']);
    expect((await requestJson('PUT', `${ctx.hookline.configApiUrl}/api/admin/no-such-thing`, { token: ctx.tenant.apiKey })).status).toBe(
      404,
    );
  });

  it('answer unreadable bodies and paths with a 4xx code, never 500', async () => {
    const endpoint = await ctx.tenant.createEndpoint({ url: 'http://127.0.0.1:9/hook' });
    const send = (method: string, url: string, headers: Record<string, string>, body?: string | Uint8Array) =>
      fetch(url, { method, headers: { authorization: `Bearer ${ctx.tenant.apiKey}`, ...headers }, ...(body ? { body } : {}) }).then(
        async (res) => [res.status, ((await res.json()) as { error?: { code: string } }).error?.code],
      );
    const json = { 'content-type': 'application/json' };
    const gzip = { ...json, 'content-encoding': 'gzip' };
    const admin = `${ctx.hookline.configApiUrl}/api/admin`;
    expect(await send('POST', `${admin}/webhooks`, gzip, 'not gzip')).toEqual([400, 'bad_request']);
    expect(await send('POST', `${ctx.hookline.ingestUrl}/v1/events`, gzip, 'not gzip')).toEqual([400, 'bad_request']);
    expect(await send('GET', `${admin}/webhooks/%E0%A4%A`, {})).toEqual([400, 'bad_request']);
    // An optional body may be left out; `null` is a body, and not the object the route takes.
    expect(await send('POST', `${admin}/webhooks/${endpoint.id}/secret/rotate`, json, 'null')).toEqual([422, 'validation_failed']);
    expect(await send('POST', `${admin}/webhooks`, json, '{"name":')).toEqual([400, 'invalid_json']);
    expect(await send('POST', `${admin}/webhooks`, { 'content-type': 'text/plain' }, 'name=x')).toEqual([415, 'unsupported_media_type']);
    expect(await send('POST', `${admin}/webhooks`, json, JSON.stringify({ name: 'x'.repeat(300_000) }))).toEqual([
      413,
      'payload_too_large',
    ]);
  });

  it("log an incoming webhook's failure by route template, never with its token", async () => {
    const hook = await ctx.tenant.admin('POST', '/incoming-webhooks', { name: 'logs', eventType: 'logs.checked' });
    expect(hook.status).toBe(201);
    const token: string = hook.body.token;
    // Data nested deeper than JSON.stringify can go: today a 500 at ingest (a fix may turn it into a 4xx, which is not logged).
    const deep = `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`;
    const answer = await requestJson('POST', `${ctx.hookline.ingestUrl}/api/webhooks/incoming/${token}`, { rawBody: deep });
    const log = () => readFileSync(join(repoRoot, '.hookline', 'test-logs', ctx.hookline.namespace, 'ingest.log'), 'utf8');
    if (answer.status >= 500) {
      const failed = await eventually(async () =>
        log()
          .split('\n')
          .find((line) => line.includes('"request failed"')),
      );
      expect(JSON.parse(failed)).toMatchObject({ method: 'POST', route: '/api/webhooks/incoming/:token' });
    }
    expect(log()).not.toContain(token);
  });
});
