import { eventually, requestJson } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { finalAttempt } from './support/settle.js';

const context = useHookline({ HOOKLINE_RETRY_TIERS: '0s,1s,5s,30s,1m,5m,30m,1h,2h,5h,10h', DELIVERY_TIMEOUT_MS: '2000' });

describe('send test', () => {
  it('delivers a signed sample through the normal path and answers with the outcome', async () => {
    const r = await context.receiver();
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['project.created', 'prd.*'] });
    const result = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/test`, {});
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ outcome: 'success', statusCode: 200, error: null });
    const [request] = await r.waitForRequests(1);
    const payload = new Webhook(endpoint.secret).verify(request!.body, request!.headers as Record<string, string>) as { type: string };
    expect(payload.type).toBe('project.created');
  });

  it('reaches a disabled endpoint (to check it before re-enabling) and never retries', async () => {
    const r = await context.receiver();
    r.respond(() => ({ status: 500, body: 'still broken' }));
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['a.b'], isActive: false, retrySchedule: ['1s'] });
    const result = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/test`, { eventType: 'a.b', data: { hello: 1 } });
    expect(result.body).toMatchObject({ outcome: 'failure', statusCode: 500, responseExcerpt: 'still broken' });
    // Its one attempt is final although the schedule has a retry left.
    const log = await finalAttempt(context.tenant, endpoint.id, result.body.deliveryId);
    expect(log.map((a) => [a.attempt, a.statusCode, a.final])).toEqual([[1, 500, true]]);
    expect(r.requests).toHaveLength(1);
    expect((await context.tenant.admin('GET', `/webhooks/${endpoint.id}`)).body.isActive).toBe(false);
  });
});

describe('delivery log', () => {
  it('lists deliveries with status, response code, time and attempts, and shows each attempt', async () => {
    const r = await context.receiver();
    r.respond((_, index) => ({ status: index < 2 ? 503 : 200, body: index < 2 ? 'busy' : 'ok' }));
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['task.created'], retrySchedule: ['1s', '1s'] });
    await context.tenant.postEvent('task.created', { id: 'task_789' });
    const [delivery] = await eventually(async () => {
      const list = await context.tenant.admin('GET', `/webhooks/${endpoint.id}/deliveries`);
      return list.body.data?.[0]?.attempts === 3 ? list.body.data : undefined;
    });
    expect(delivery).toMatchObject({ event: 'task.created', status: 'success', response_code: 200, attempts: 3 });
    expect(delivery.id).toBe(r.requests[0]!.headers['webhook-id']);

    const detail = await context.tenant.admin('GET', `/webhooks/${endpoint.id}/deliveries/${delivery.id}`);
    expect(detail.body.attemptsLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 200]);
    expect(detail.body.attemptsLog[0]).toMatchObject({ attempt: 1, outcome: 'failure', responseExcerpt: 'busy', final: false });

    const missing = await context.tenant.admin('GET', `/webhooks/${endpoint.id}/deliveries/msg_nope`);
    expect(missing.status).toBe(404);

    // The stats are folded just after the attempts are stored: wait for the third there too.
    const stats = await eventually(async () => {
      const s = await context.tenant.stats(endpoint.id);
      return s.totalDeliveries === 3 ? s : undefined;
    });
    expect(stats).toMatchObject({
      totalDeliveries: 3,
      succeeded: 1,
      failed: 2,
      failuresLast24h: 2,
      state: 'active',
      lastDelivery: { statusCode: 200 },
    });
    expect(stats.p95ResponseTimeMs).toBeGreaterThan(0);
    const tenant = await context.tenant.admin('GET', '/stats');
    expect(tenant.body.totalDeliveries).toBeGreaterThanOrEqual(3);
    expect(tenant.body.failuresLast24h).toBeGreaterThanOrEqual(2);
    expect(tenant.body.endpoints.total).toBeGreaterThanOrEqual(2);
  });

  it('lets a viewer read the log but not send tests', async () => {
    const viewer = (await context.tenant.admin('POST', '/api-keys', { name: 'v', role: 'viewer' })).body.key;
    const endpoint = await context.tenant.createEndpoint({ url: 'http://127.0.0.2/h', events: ['x.y'] });
    const base = `${context.hookline.configApiUrl}/api/admin/webhooks/${endpoint.id}`;
    expect((await requestJson('GET', `${base}/deliveries`, { token: viewer })).status).toBe(200);
    expect((await requestJson('POST', `${base}/test`, { token: viewer, body: {} })).status).toBe(403);
  });
});
