import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, type ReceivedRequest } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { deadLetterCount } from './support/settle.js';

/**
 * The webhook routes' smaller holes (issue 10): header names that belong to the connection, URLs that are not
 * URLs, URLs on Hookline's own ingest, more than two live secrets, and SSRF refusals that named the address.
 */
const allowedHost = '127.0.0.2';
const ctx = useHookline({ DELIVERY_ALLOW_PRIVATE_CIDRS: `${allowedHost}/32` }, allowedHost);

const refusedNames = [
  'Host',
  'connection',
  'Keep-Alive',
  'Transfer-Encoding',
  'TE',
  'Trailer',
  'Upgrade',
  'Proxy-Authorization',
  'Content-Length',
];
const badUrls = ['not a url', 'http://', 'http://[::1', ''];

async function expectValidationFailed(method: string, path: string, body: unknown, what: string) {
  const answer = await ctx.tenant.admin(method, path, body);
  expect({ status: answer.status, code: answer.body?.error?.code }, `${method} ${what}`).toEqual({
    status: 422,
    code: 'validation_failed',
  });
}

describe('webhook input', () => {
  it('refuses Host and hop-by-hop header names with 422, on create and on change', async () => {
    const receiver = await ctx.receiver();
    const endpoint = await ctx.tenant.createEndpoint({ url: receiver.url, headers: { 'X-Fine': 'yes' } });
    for (const name of refusedNames) {
      const headers = { [name]: 'value' };
      await expectValidationFailed('POST', '/webhooks', { name: 'e', url: receiver.url, events: ['*'], headers }, name);
      await expectValidationFailed('PATCH', `/webhooks/${endpoint.id}`, { headers }, name);
    }
    await expectValidationFailed('PATCH', `/webhooks/${endpoint.id}`, { headers: { 'X-A': '1', 'x-a': '2' } }, 'a name twice');
    expect((await ctx.tenant.admin('GET', `/webhooks/${endpoint.id}`)).body.headers).toEqual({ 'X-Fine': '********' });
  });

  it('answers 422 validation_failed for URLs that are not http(s) URLs, on create and on change', async () => {
    const receiver = await ctx.receiver();
    const endpoint = await ctx.tenant.createEndpoint({ url: receiver.url });
    for (const url of badUrls) {
      await expectValidationFailed('POST', '/webhooks', { name: 'e', url, events: ['*'] }, JSON.stringify(url));
      await expectValidationFailed('PATCH', `/webhooks/${endpoint.id}`, { url }, JSON.stringify(url));
    }
  });

  it("refuses URLs on Hookline's own ingest origin", async () => {
    const receiver = await ctx.receiver();
    const endpoint = await ctx.tenant.createEndpoint({ url: receiver.url });
    const ingestPort = new URL(ctx.hookline.ingestUrl).port;
    const own = [
      `${ctx.hookline.ingestUrl}/api/webhooks/incoming/abc`,
      `http://localhost:${ingestPort}/v1/events`,
      `http://[::1]:${ingestPort}/`,
    ];
    for (const url of own) {
      await expectValidationFailed('POST', '/webhooks', { name: 'loop', url, events: ['*'] }, url);
      await expectValidationFailed('PATCH', `/webhooks/${endpoint.id}`, { url }, url);
    }
  });

  it('keeps at most two live secrets however quickly rotations follow each other', async () => {
    const receiver = await ctx.receiver();
    const endpoint = await ctx.tenant.createEndpoint({ url: receiver.url, events: ['rotation.many'] });
    const secrets = [endpoint.secret];
    for (let i = 0; i < 3; i++) {
      const rotated = await ctx.tenant.admin('POST', `/webhooks/${endpoint.id}/secret/rotate`, { overlapSeconds: 3600 });
      expect(rotated.status).toBe(200);
      secrets.push(rotated.body.secret);
    }
    await ctx.tenant.postEvent('rotation.many', {});
    const [delivery] = await receiver.waitForRequests(1, 60_000);
    const headers = Object.fromEntries(Object.entries(delivery!.headers).map(([k, v]) => [k, String(v)]));
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(secrets.map((secret) => verifies(secret, delivery!, headers))).toEqual([false, false, true, true]);
  });
});

describe('SSRF refusals', () => {
  it('do not name the refused address in the attempt; the delivery log does', async () => {
    const loopback = await ctx.receiver('127.0.0.1');
    const urls = [`http://localhost:${new URL(loopback.url).port}/by-name`, 'http://10.0.0.1/by-address'];
    const endpoints: { id: string }[] = [];
    for (const url of urls) endpoints.push(await ctx.tenant.createEndpoint({ url, events: ['ssrf.quiet'], retrySchedule: ['5s'] }));
    await ctx.tenant.postEvent('ssrf.quiet', {});
    // The dead letter, the stats and the attempt log are written by different consumers: wait for all three.
    const recorded = await eventually(async () => {
      const seen = [];
      for (const endpoint of endpoints) {
        const stats = await ctx.tenant.stats(endpoint.id);
        const attempts = (await ctx.tenant.admin('GET', `/webhooks/${endpoint.id}/deliveries`)).body;
        const done = (await deadLetterCount(ctx.tenant, endpoint.id)) === 1 && stats.lastDelivery?.error && attempts?.data?.length;
        if (!done) return undefined;
        seen.push({ stats, attempts });
      }
      return seen;
    }, 60_000);
    for (const [i, { stats, attempts }] of recorded.entries()) {
      expect(stats.lastDelivery?.error, urls[i]).toMatch(/refused by the SSRF guard/);
      expect(JSON.stringify([stats, attempts]), urls[i]).not.toMatch(/127\.0\.0\.1|10\.0\.0\.1|::1/);
    }
    expect(loopback.requests).toHaveLength(0);
    // The operator still sees what was refused.
    const log = readFileSync(join(ctx.hookline.logDir, 'delivery.log'), 'utf8');
    expect(log).toMatch(/"host":"localhost","address":"(127\.0\.0\.1|::1)"/);
  });
});

function verifies(secret: string, request: ReceivedRequest, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(request.body, headers);
    return true;
  } catch {
    return false;
  }
}
