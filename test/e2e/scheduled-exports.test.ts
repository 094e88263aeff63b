import { eventually, requestJson } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

// Due times are checked every 200 ms so a cron due every two seconds fires on time.
const context = useHookline({ SCHEDULER_TICK_MS: '200' });

interface ExportEvent {
  type: string;
  data: { scheduleId: string; dueAt: string; late: boolean; manual: boolean; triggeredBy?: string; format: string; projectId?: string };
}

/** thig.ai's paths, as its document prints them (not under /api/admin). */
function exportsApi(method: string, path: string, body?: unknown, token = context.tenant.apiKey) {
  return requestJson(method, `${context.hookline.configApiUrl}/api/scheduled-exports${path}`, {
    token,
    ...(body === undefined ? {} : { body }),
  });
}

const base = { format: 'pdf', deliveryMethod: 'webhook', timezone: 'Europe/Berlin' };

describe('scheduled exports (thig.ai)', () => {
  it('validates fields and cross-field rules with 422 codes; email without an SMTP relay is refused clearly', async () => {
    const email = await exportsApi('POST', '', {
      ...base,
      scheduleType: 'weekly_digest',
      deliveryMethod: 'email',
      recipients: ['team@example.com'],
      timezone: 'America/New_York',
      includeChangelog: true,
      projectId: 'proj_123',
    });
    expect(email.status).toBe(422);
    expect(email.body.error.code).toBe('validation_failed');
    expect(email.body.error.message).toContain('SMTP');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ scheduleType: 'custom_cron' }, 'cronExpression'],
      [{ scheduleType: 'custom_cron', cronExpression: 'every tuesday' }, 'cronExpression'],
      [{ scheduleType: 'on_status_change' }, 'triggerStatus'],
      [{ scheduleType: 'one_time' }, 'scheduledAt'],
      [{ scheduleType: 'one_time', scheduledAt: '2020-01-01T00:00:00Z' }, 'scheduledAt'],
      [{ scheduleType: 'weekly_digest', timezone: 'Mars/Olympus' }, 'timezone'],
    ];
    for (const [fields, path] of cases) {
      const answer = await exportsApi('POST', '', { ...base, ...fields });
      expect(answer.status, JSON.stringify(fields)).toBe(422);
      expect(JSON.stringify(answer.body.error), JSON.stringify(fields)).toContain(path);
    }
    expect((await exportsApi('POST', '', { ...base, scheduleType: 'hourly' })).status).toBe(422);
    expect((await exportsApi('POST', '', { scheduleType: 'weekly_digest' })).status).toBe(422);

    const viewer = (await context.tenant.admin('POST', '/api-keys', { name: 'v', role: 'viewer' })).body.key;
    expect((await exportsApi('POST', '', { ...base, scheduleType: 'weekly_digest' }, viewer)).status).toBe(403);
    expect((await exportsApi('GET', '', undefined, 'hk_not_a_key')).status).toBe(401);
  });

  it('lists, filters by project, changes and deletes schedules; weekly_digest is due Monday 09:00 local', async () => {
    const created = await exportsApi('POST', '', { ...base, scheduleType: 'weekly_digest', projectId: 'proj_list' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const due = new Date(created.body.nextDueAt);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(due);
    expect(local).toBe('Mon 09:00');
    expect((await exportsApi('GET', '?projectId=proj_list')).body.data.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await exportsApi('GET', '?projectId=proj_none')).body.data).toEqual([]);
    const patched = await exportsApi('PATCH', `/${id}`, { format: 'markdown', customSubject: 'Weekly' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, format: 'markdown', customSubject: 'Weekly', scheduleType: 'weekly_digest' });
    expect((await exportsApi('PATCH', `/${id}`, { scheduleType: 'custom_cron' })).status).toBe(422);
    expect((await exportsApi('DELETE', `/${id}`)).status).toBe(204);
    expect((await exportsApi('PATCH', `/${id}`, { format: 'pdf' })).status).toBe(404);
    expect((await exportsApi('POST', `/${id}/trigger`)).status).toBe(404);
  });

  it('a custom_cron schedule delivers one signed export.scheduled event per due time to its webhookUrl and to subscribers', async () => {
    const inbox = await context.receiver();
    const subscriber = await context.receiver();
    const subscribed = await context.tenant.createEndpoint({ name: 'exports', url: subscriber.url, events: ['export.scheduled'] });
    const created = await exportsApi('POST', '', {
      ...base,
      scheduleType: 'custom_cron',
      cronExpression: '*/2 * * * * *',
      projectId: 'proj_cron',
      webhookUrl: inbox.url,
      includeChangelog: true,
      customMessage: 'hello',
    });
    expect(created.status).toBe(201);
    expect(created.body.webhookSecret).toMatch(/^whsec_/);
    const id = created.body.id as string;

    await inbox.waitForRequests(3, 60_000);
    // The trigger's event is the sentinel: once it arrived, deliveries fired before it had their chance too.
    const triggered = await exportsApi('POST', `/${id}/trigger`);
    expect(triggered.status).toBe(202);
    expect(triggered.body.eventId).toMatch(/^evt_/);
    const verify = new Webhook(created.body.webhookSecret);
    const received = () => inbox.requests.map((r) => verify.verify(r.body, r.headers as Record<string, string>) as ExportEvent);
    await eventually(async () => received().some((e) => e.data.manual), 60_000);
    // Delivered through the normal path: the managed endpoint's stats count them (before it goes with the schedule).
    const managed = created.body.webhookEndpointId as string;
    const delivered = inbox.requests.length;
    const stats = await eventually(async () => {
      const s = await context.tenant.stats(managed).catch(() => undefined);
      return s && s.succeeded >= delivered ? s : undefined;
    }, 60_000);
    expect(stats.succeeded).toBeGreaterThanOrEqual(delivered);
    expect((await exportsApi('DELETE', `/${id}`)).status).toBe(204);
    expect((await context.tenant.admin('GET', `/webhooks/${managed}`)).status).toBe(404);

    const events = received();
    const scheduled = events.filter((e) => !e.data.manual);
    expect(scheduled.length).toBeGreaterThanOrEqual(3);
    // One delivery per event: the same event twice would come with the same webhook-id.
    expect(new Set(inbox.requests.map((r) => r.headers['webhook-id'])).size).toBe(inbox.requests.length);
    const dueTimes = scheduled.map((e) => Date.parse(e.data.dueAt)).sort((a, b) => a - b);
    expect(new Set(dueTimes).size).toBe(dueTimes.length);
    for (const at of dueTimes) expect(at % 2000).toBe(0);
    expect(scheduled[0]).toMatchObject({
      type: 'export.scheduled',
      data: { scheduleId: id, format: 'pdf', projectId: 'proj_cron', late: false, manual: false },
    });
    expect(events.filter((e) => e.data.manual).map((e) => e.data)).toEqual([
      expect.objectContaining({ scheduleId: id, manual: true, customMessage: 'hello' }),
    ]);

    // Subscribed endpoints get the same events, signed with their own secret.
    await eventually(async () => subscriber.requests.length >= events.length, 60_000);
    const subscriberDue = subscriber.requests.map(
      (r) => (new Webhook(subscribed.secret).verify(r.body, r.headers as Record<string, string>) as ExportEvent).data.dueAt,
    );
    expect(subscriberDue).toEqual(expect.arrayContaining(scheduled.map((e) => e.data.dueAt)));
  });

  it('a one_time schedule fires once at scheduledAt', async () => {
    const inbox = await context.receiver();
    const scheduledAt = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000).toISOString();
    const created = await exportsApi('POST', '', { ...base, scheduleType: 'one_time', scheduledAt, webhookUrl: inbox.url });
    expect(created.status).toBe(201);
    expect(created.body.nextDueAt).toBe(scheduledAt);
    const [request] = await inbox.waitForRequests(1, 60_000);
    const event = new Webhook(created.body.webhookSecret).verify(request!.body, request!.headers as Record<string, string>) as ExportEvent;
    expect(event.data).toMatchObject({ scheduleId: created.body.id, dueAt: scheduledAt, manual: false });
    // The sentinel: a manual trigger after the due time; nothing but it may follow the one firing.
    const triggered = await exportsApi('POST', `/${created.body.id}/trigger`);
    expect(triggered.status).toBe(202);
    await eventually(async () => inbox.requests.some((r) => r.body.includes('"manual":true')), 60_000);
    expect(inbox.requests).toHaveLength(2);
    expect((await exportsApi('GET', '')).body.data.find((s: { id: string }) => s.id === created.body.id).nextDueAt).toBeNull();
  });

  it('on_status_change fires when an event with data.status equal to triggerStatus arrives (and its project, when set)', async () => {
    const inbox = await context.receiver();
    const created = await exportsApi('POST', '', {
      ...base,
      scheduleType: 'on_status_change',
      triggerStatus: 'approved',
      projectId: 'proj_status',
      webhookUrl: inbox.url,
    });
    expect(created.status).toBe(201);
    expect(created.body.nextDueAt).toBeNull();
    await context.tenant.postEvent('document.updated', { status: 'draft', projectId: 'proj_status' });
    await context.tenant.postEvent('document.updated', { status: 'approved', projectId: 'proj_other' });
    const approved = await context.tenant.postEvent('document.updated', { status: 'approved', projectId: 'proj_status' });
    const [request] = await inbox.waitForRequests(1, 60_000);
    const event = new Webhook(created.body.webhookSecret).verify(request!.body, request!.headers as Record<string, string>) as ExportEvent;
    expect(event).toMatchObject({ type: 'export.scheduled', data: { scheduleId: created.body.id, triggeredBy: approved, manual: false } });
    // The events before it were judged first (same tenant, same partition): a manual trigger is the sentinel.
    const triggered = await exportsApi('POST', `/${created.body.id}/trigger`);
    expect(triggered.status).toBe(202);
    await eventually(async () => inbox.requests.some((r) => r.body.includes('"manual":true')), 60_000);
    expect(inbox.requests).toHaveLength(2);
  });
});
