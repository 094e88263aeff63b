import { eventually, requestJson, TestTenant } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { metricValue } from './support/metrics.js';
import { sentinelEvent, settleWithSentinel } from './support/settle.js';

// Four recent attempts are enough to judge a success rate here (ten by default).
const context = useHookline({ PROJECTOR_ALERT_MIN_ATTEMPTS: '4' });

interface AlertPayload {
  type: string;
  data: {
    alertId: string;
    rule: string;
    state: string;
    endpointId: string;
    endpointName: string;
    value: number;
    threshold: number;
    message: string;
  };
}

describe('alerts', () => {
  it('settings default to off with the seed thresholds; only owners and admins change them', async () => {
    const { tenant } = context;
    expect((await tenant.admin('GET', '/alerts/settings')).body).toEqual({
      enabled: false,
      failedDeliveries24h: 10,
      responseTimeMs: 5000,
      successRatePercent: 95,
    });
    const viewer = (await tenant.admin('POST', '/api-keys', { name: 'v', role: 'viewer' })).body.key;
    const url = `${context.hookline.configApiUrl}/api/admin/alerts/settings`;
    expect((await requestJson('PUT', url, { token: viewer, body: { enabled: true } })).status).toBe(403);
    expect((await requestJson('GET', url, { token: viewer })).status).toBe(200);
    expect((await tenant.admin('PUT', '/alerts/settings', { successRatePercent: 150 })).body.error.code).toBe('validation_failed');
    expect((await tenant.admin('GET', '/alerts?state=burning')).status).toBe(422);
  });

  it('fires failed_deliveries as a signed hookline.alert delivery, and resolves once the receiver recovers', async () => {
    const { tenant } = context;
    const alertsInbox = await context.receiver();
    const everything = await context.receiver();
    const broken = await context.receiver();
    broken.respond(() => ({ status: 500, body: 'down' }));
    const alertEndpoint = await tenant.createEndpoint({ name: 'ops alerts', url: alertsInbox.url, events: ['hookline.alert'] });
    await tenant.createEndpoint({ name: 'catch-all', url: everything.url, events: ['*'] });
    const crm = await tenant.createEndpoint({ name: 'crm', url: broken.url, events: ['order.*'], retrySchedule: [] });

    // Only failed deliveries here: a success rate of 0 % never fires.
    const settings = await tenant.admin('PUT', '/alerts/settings', { enabled: true, failedDeliveries24h: 2, successRatePercent: 0 });
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual({ enabled: true, failedDeliveries24h: 2, responseTimeMs: 5000, successRatePercent: 0 });

    for (let i = 0; i < 3; i++) await tenant.postEvent('order.created', { i });
    const [fired] = await alertsInbox.waitForRequests(1, 60_000);
    const firing = new Webhook(alertEndpoint.secret).verify(fired!.body, fired!.headers as Record<string, string>) as AlertPayload;
    expect(firing.type).toBe('hookline.alert');
    expect(firing.data).toMatchObject({
      rule: 'failed_deliveries',
      state: 'firing',
      endpointId: crm.id,
      endpointName: 'crm',
      value: 3,
      threshold: 2,
    });
    expect(firing.data.message).toContain('crm: 3 failed deliveries');

    const listedFiring = (await tenant.admin('GET', '/alerts?state=firing')).body.data;
    expect(listedFiring).toMatchObject([
      {
        id: firing.data.alertId,
        endpointId: crm.id,
        endpointName: 'crm',
        rule: 'failed_deliveries',
        state: 'firing',
        value: 3,
        threshold: 2,
      },
    ]);
    expect(listedFiring[0].resolvedAt).toBeUndefined();
    expect(await metricValue(context.hookline, 'projector', 'hookline_alerts_firing', { rule: 'failed_deliveries' })).toBe(1);

    // A fourth failure does not fire again while the alert is open.
    await tenant.postEvent('order.created', { i: 3 });
    broken.respond(() => ({ status: 200 }));
    await tenant.postEvent('order.created', { i: 4 });
    const [, resolvedRequest] = await alertsInbox.waitForRequests(2, 60_000);
    const resolved = new Webhook(alertEndpoint.secret).verify(
      resolvedRequest!.body,
      resolvedRequest!.headers as Record<string, string>,
    ) as AlertPayload;
    expect(resolved.data).toMatchObject({ alertId: firing.data.alertId, rule: 'failed_deliveries', state: 'resolved', endpointId: crm.id });
    expect(alertsInbox.requests).toHaveLength(2);

    const all = (await tenant.admin('GET', '/alerts')).body.data;
    expect(all).toMatchObject([{ id: firing.data.alertId, state: 'resolved', rule: 'failed_deliveries', value: 3, threshold: 2 }]);
    expect(Date.parse(all[0].resolvedAt)).toBeGreaterThanOrEqual(Date.parse(all[0].firedAt));
    expect((await tenant.admin('GET', '/alerts?state=firing')).body.data).toEqual([]);
    expect((await tenant.admin('GET', '/alerts?state=resolved')).body.data).toHaveLength(1);
    expect(await metricValue(context.hookline, 'projector', 'hookline_alerts_firing')).toBe(0);
    expect(await metricValue(context.hookline, 'projector', 'hookline_alerts_total', { rule: 'failed_deliveries' })).toBe(2);

    // Hookline's own events reach only endpoints that name them: the catch-all got the orders alone.
    // The alert events are on the tenant's events partition ahead of the sentinel, so they would be in by then.
    await broken.waitForRequests(5);
    const { others } = await settleWithSentinel(everything, sentinelEvent(tenant, 'audit.sentinel'));
    expect(others.map((q) => JSON.parse(q.body).type)).toEqual(Array(5).fill('order.created'));
  });

  it('fires response_time and success_rate on the recent attempts and resolves them when the endpoint recovers', async () => {
    // A tenant of its own: its settings and alerts are separate from the other test's.
    const tenant = await TestTenant.create(context.hookline, 'Second tenant');
    const inbox = await context.receiver();
    const flaky = await context.receiver();
    let mode: 'slow' | 'failing' | 'fine' = 'slow';
    flaky.respond(() => (mode === 'slow' ? { status: 200, delayMs: 700 } : mode === 'failing' ? { status: 503 } : { status: 200 }));
    await tenant.createEndpoint({ url: inbox.url, events: ['hookline.*'] });
    const api = await tenant.createEndpoint({ name: 'api', url: flaky.url, events: ['job.done'], retrySchedule: [] });
    await tenant.admin('PUT', '/alerts/settings', {
      enabled: true,
      responseTimeMs: 300,
      successRatePercent: 75,
      failedDeliveries24h: 1000,
    });
    const alerts = async () => (await tenant.admin('GET', '/alerts')).body.data as { rule: string; state: string; value: number }[];

    await tenant.postEvent('job.done', { n: 0 });
    await eventually(async () => (await alerts()).some((a) => a.rule === 'response_time' && a.state === 'firing'));
    mode = 'fine';
    for (let n = 1; n <= 3; n++) await tenant.postEvent('job.done', { n });
    await eventually(async () => (await alerts()).some((a) => a.rule === 'response_time' && a.state === 'resolved'));

    mode = 'failing';
    for (let n = 0; n < 4; n++) await tenant.postEvent('job.done', { n: 10 + n });
    const [rate] = await eventually(async () => {
      const found = (await alerts()).filter((a) => a.rule === 'success_rate' && a.state === 'firing');
      return found.length ? found : undefined;
    });
    expect(rate!.value).toBeLessThan(75);
    mode = 'fine';
    for (let n = 0; n < 12; n++) await tenant.postEvent('job.done', { n: 20 + n });
    await eventually(async () => (await alerts()).some((a) => a.rule === 'success_rate' && a.state === 'resolved'));

    const received = await inbox.waitForRequests(4, 30_000);
    const states = received
      .map((q) => JSON.parse(q.body).data)
      .map((d: { rule: string; state: string; endpointId: string }) => `${d.rule}:${d.state}:${d.endpointId === api.id}`);
    expect(states).toEqual([
      'response_time:firing:true',
      'response_time:resolved:true',
      'success_rate:firing:true',
      'success_rate:resolved:true',
    ]);
    expect((await alerts()).every((a) => a.rule !== 'failed_deliveries')).toBe(true);
  });
});
