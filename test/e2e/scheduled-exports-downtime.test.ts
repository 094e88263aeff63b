import { eventually, requestJson } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

// A firing more than one second after its due time counts as late here (a minute by default).
const context = useHookline({ SCHEDULER_TICK_MS: '200', SCHEDULER_LATE_AFTER_MS: '1000' });

describe('scheduled exports while the scheduler is down', () => {
  it('fires a due time missed while config-api was down once it is back, marked late, once', async () => {
    const inbox = await context.receiver();
    const scheduledAt = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000).toISOString();
    const created = await requestJson('POST', `${context.hookline.configApiUrl}/api/scheduled-exports`, {
      token: context.tenant.apiKey,
      body: { scheduleType: 'one_time', scheduledAt, timezone: 'UTC', format: 'html', deliveryMethod: 'webhook', webhookUrl: inbox.url },
    });
    expect(created.status).toBe(201);
    // The only scheduler goes away before the due time, and stays away until well after it.
    await context.hookline.signal('config-api', 'SIGKILL');
    await eventually(async () => Date.now() > Date.parse(scheduledAt) + 3000, 30_000, 100);
    expect(inbox.requests).toHaveLength(0);
    await context.hookline.startService('config-api');

    const [request] = await inbox.waitForRequests(1, 60_000);
    const event = new Webhook(created.body.webhookSecret).verify(request!.body, request!.headers as Record<string, string>) as {
      data: { scheduleId: string; dueAt: string; late: boolean; manual: boolean };
    };
    expect(event.data).toMatchObject({ scheduleId: created.body.id, dueAt: scheduledAt, late: true, manual: false });
    // The sentinel: a manual trigger; nothing but it may follow the one late firing.
    const triggered = await requestJson('POST', `${context.hookline.configApiUrl}/api/scheduled-exports/${created.body.id}/trigger`, {
      token: context.tenant.apiKey,
    });
    expect(triggered.status).toBe(202);
    await eventually(async () => inbox.requests.some((r) => r.body.includes('"manual":true')), 60_000);
    expect(inbox.requests).toHaveLength(2);
  });
});
