import { deliveryIdFor } from '@hookline/core';
import { eventually, TestTenant } from '@hookline/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from './support/cli-process.js';
import { useHookline } from './support/harness.js';

const ctx = useHookline({ DELIVERY_TIMEOUT_MS: '2000' });
const env = () => ({
  HOOKLINE_API_URL: ctx.hookline.configApiUrl,
  HOOKLINE_INGEST_URL: ctx.hookline.ingestUrl,
  HOOKLINE_API_KEY: ctx.tenant.apiKey,
});
afterAll(() => CliProcess.stopAll());

describe('hookline listen', () => {
  it('receives a delivery end to end with a verified signature, and deletes its endpoint on SIGTERM', async () => {
    const listen = CliProcess.start(['listen', '--port', '0', '--events', 'cli.listen.*'], env());
    const [, url, endpointId] = await listen.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+\/) as endpoint (ep_\S+) for cli\.listen\.\*/);
    expect((await ctx.tenant.admin('GET', `/webhooks/${endpointId}`)).body).toMatchObject({ url, events: ['cli.listen.*'] });

    const eventId = await ctx.tenant.postEvent('cli.listen.hello', { greeting: 'hi from the test' });
    const deliveryId = deliveryIdFor(eventId, endpointId!);
    await listen.waitFor(new RegExp(`POST /  cli\\.listen\\.hello  ${deliveryId}`));
    await listen.waitFor(/→ answered 200/);
    expect(listen.stdout).toContain('signature verified (standard-webhooks)');
    expect(listen.stdout).toContain(`webhook-id: ${deliveryId}`);
    expect(listen.stdout).toContain('"greeting": "hi from the test"');

    const result = await listen.stop('SIGTERM');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`deleted temporary endpoint ${endpointId}`);
    expect((await ctx.tenant.admin('GET', `/webhooks/${endpointId}`)).status).toBe(404);
  });

  it('forwards to --forward and relays its answer; --no-register only listens', async () => {
    const app = await ctx.receiver();
    app.respond(() => ({ status: 201, body: 'made', headers: { 'content-type': 'text/plain' } }));
    const listen = CliProcess.start(
      ['listen', '--no-register', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--forward', `${app.url}/hook`],
      env(),
    );
    const [, url] = await listen.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+\/) \(not registered/);
    const answer = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"x.y"}' });
    expect(answer.status).toBe(201);
    expect(await answer.text()).toBe('made');
    expect(app.requests[0]).toMatchObject({ path: '/hook', body: '{"type":"x.y"}' });
    await listen.waitFor(/→ answered 201 from http:\/\/\S+\/hook/);
    expect(listen.stdout).toContain('signature INVALID: missing_signature');
    expect((await listen.stop()).code).toBe(0);
  });
});

describe('hookline endpoints, test, tail, verify', () => {
  it('lists endpoints, sends a test, tails attempts as they happen and verifies a captured request', async () => {
    const receiver = await ctx.receiver();
    const endpoint = await ctx.tenant.createEndpoint({ name: 'cli-crm', url: receiver.url, events: ['cli.tail.*'] });

    const tested = await runCli(['test', endpoint.id, '--type', 'cli.tail.sample', '--data', '{"sample":true}'], env());
    expect(tested.stderr).toBe('');
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^success {2}status 200 {2}\d+ ms {2}webhook-id msg_/);

    const listed = await eventually(async () => {
      const run = await runCli(['endpoints'], env());
      return run.stdout.includes('100%') ? run : undefined; // once the test attempt is in the stats
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID +NAME +STATE +SUCCESS +DELIVERIES +FAILED 24H +LAST DELIVERY +URL/);
    expect(listed.stdout).toMatch(
      new RegExp(`${endpoint.id} +cli-crm +active +100% +1 +0 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d 200 +${receiver.url}`),
    );
    const json = JSON.parse((await runCli(['endpoints', '--json'], env())).stdout);
    expect(json.find((e: { id: string }) => e.id === endpoint.id)).toMatchObject({
      name: 'cli-crm',
      stats: { state: 'active', totalDeliveries: 1 },
    });

    const tail = CliProcess.start(['tail', '--lines', '0', '--endpoint', endpoint.id, '--interval', '200'], env());
    await eventually(async () => tail.stderr.includes('following new attempts'));
    const eventId = await ctx.tenant.postEvent('cli.tail.created', { n: 1 });
    const deliveryId = deliveryIdFor(eventId, endpoint.id);
    const [line] = await tail.waitFor(new RegExp(`^.*${deliveryId}.*$`, 'm'));
    expect(line).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  cli-crm \\(${endpoint.id}\\)  cli\\.tail\\.created  ${deliveryId}  200  \\d+ ms  success$`,
      ),
    );
    expect(tail.stdout).not.toContain('cli.tail.sample'); // --lines 0: no history
    expect((await tail.stop('SIGINT')).code).toBe(0);

    // The request as the receiver got it, saved the way a developer would paste it.
    const request = (await receiver.waitForRequests(2)).find((r) => r.headers['webhook-id'] === deliveryId)!;
    const raw = (body: string) =>
      [
        `POST /hooks HTTP/1.1`,
        ...['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => `${h}: ${String(request.headers[h])}`),
        '',
        body,
      ].join('\r\n');
    const valid = await runCli(['verify', '--secret', endpoint.secret], env(), raw(request.body));
    expect(valid).toMatchObject({ code: 0, stdout: 'valid\n' });
    const tampered = await runCli(['verify', '--secret', endpoint.secret], env(), raw(request.body.replace('"n":1', '"n":2')));
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^invalid: signature_mismatch/);
  });

  it('prints API errors with their code and exits non-zero', async () => {
    const missing = await runCli(['test', 'ep_missing'], env());
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe('hookline: not_found: no such webhook\n');
    const badKey = await runCli(['endpoints'], { ...env(), HOOKLINE_API_KEY: 'hk_wrong' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^hookline: unauthorized: /);
  });
});

describe('hookline retry and replay', () => {
  it('retries one dead letter and replays the rest with a progress bar that ends at the total', async () => {
    const receiver = await ctx.receiver();
    let healthy = false;
    receiver.respond(() => ({ status: healthy ? 200 : 500 }));
    const endpoint = await ctx.tenant.createEndpoint({
      url: receiver.url,
      events: ['cli.replay.*'],
      retrySchedule: [],
      disableAfterConsecutiveFailures: null,
    });
    const eventIds: string[] = [];
    for (let i = 0; i < 4; i++) eventIds.push(await ctx.tenant.postEvent('cli.replay.item', { i }));
    await eventually(
      async () => (await ctx.tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters?state=dead&limit=1`)).body.total === 4,
      60_000,
      300,
    );
    healthy = true;

    const retried = await runCli(['retry', endpoint.id, deliveryIdFor(eventIds[0]!, endpoint.id)], env());
    expect(retried).toMatchObject({ code: 0, stdout: `queued ${deliveryIdFor(eventIds[0]!, endpoint.id)} as attempt 2\n` });

    const replay = await runCli(['replay', endpoint.id, '--from', '1h'], env());
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^replayed 3\/3 dead letters \(job rpl_\S+\)\n$/);
    expect(replay.stderr).toMatch(/replaying \[[=\- ]*\] 3\/3 100%/);
    await eventually(
      async () => new Set(receiver.requests.filter((r) => r.reply?.status === 200).map((r) => r.headers['webhook-id'])).size === 4,
    );

    const nothing = await runCli(['replay', endpoint.id], env());
    expect(nothing.stdout).toMatch(/^nothing to replay/);
  });
});

describe('GET /api/admin/deliveries (the feed behind tail)', () => {
  it('pages with its cursor, filters by endpoint, stays within the tenant and refuses a bad cursor', async () => {
    const receiver = await ctx.receiver();
    const endpoint = await ctx.tenant.createEndpoint({ url: receiver.url, events: ['cli.feed.*'] });
    const start = (await ctx.tenant.admin('GET', `/deliveries?limit=1&endpointId=${endpoint.id}`)).body;
    expect(start.data).toEqual([]);
    for (let i = 0; i < 3; i++) await ctx.tenant.postEvent('cli.feed.item', { i });
    const seen: string[] = [];
    let cursor: string = start.next;
    await eventually(async () => {
      const page = await ctx.tenant.admin('GET', `/deliveries?after=${cursor}&limit=2&endpointId=${endpoint.id}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((a: { deliveryId: string }) => a.deliveryId));
      cursor = page.body.next;
      return seen.length >= 3;
    });
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    const newest = (await ctx.tenant.admin('GET', `/deliveries?limit=3&endpointId=${endpoint.id}`)).body.data;
    expect(newest.map((a: { deliveryId: string }) => a.deliveryId).sort()).toEqual([...seen].sort());
    expect(newest[0]).toMatchObject({
      endpointId: endpoint.id,
      endpointName: 'endpoint',
      eventType: 'cli.feed.item',
      outcome: 'success',
      status: 'success',
      statusCode: 200,
      attempt: 1,
    });

    const other = await TestTenant.create(ctx.hookline, 'Other');
    expect((await other.admin('GET', '/deliveries?limit=500')).body.data).toEqual([]);
    const bad = await ctx.tenant.admin('GET', '/deliveries?after=not-a-cursor');
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});
