import { eventually, type ReceivedRequest } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { taskappProblems, threadhoundProblems, threadhoundTypeFields } from './support/seed-documents.js';
import { deadLetterCount, finalAttempt } from './support/settle.js';

/**
 * The ThreadHound and task-app profiles exactly as their documents print them (../shared/seeds/): receivers
 * written from each document accept every delivery, and ThreadHound's "disabled at the first non-2xx or
 * timeout" means the first.
 */
const env = { HOOKLINE_RETRY_TIERS: '0s,1s,2s,3s,5s,30s,1m,5m,30m,1h,2h,5h,10h', DELIVERY_TIMEOUT_MS: '2000' };
const context = useHookline(env);

const json = (request: ReceivedRequest) => JSON.parse(request.body);
const onPath = (requests: ReceivedRequest[], path: string) => requests.filter((q) => q.path === path);

/** The documents' example payload fields, as event data. */
const chatMessage = {
  messageId: '507f1f77bcf86cd799439012',
  threadId: '507f1f77bcf86cd799439013',
  groupId: '507f1f77bcf86cd799439014',
  groupName: 'General Chat',
  senderId: '507f1f77bcf86cd799439015',
  senderName: 'John Doe',
  text: 'Hello world!',
  messageTimestamp: '2026-02-18T10:30:00.000Z',
};
const chatThread = {
  threadId: '507f1f77bcf86cd799439013',
  groupId: '507f1f77bcf86cd799439014',
  groupName: 'General Chat',
  title: 'Discussion about webhooks',
  summary: 'The team discusses implementing a webhook system...',
  participantCount: 5,
  messageCount: 12,
};
const task = {
  id: 'task_789',
  name: 'Design homepage',
  status: 'todo',
  priority: 'high',
  project_id: 'proj_123',
  assignee_id: 'user_456',
  created_by: 'user_789',
  due_date: '2025-10-30',
};

describe('ThreadHound ("Webhook Data Format")', () => {
  it('every delivery, send-tests included, carries communityId, an ISO timestamp and the mapped webhookType/actionType', async () => {
    const r = await context.receiver();
    r.respond((request) => ({ status: threadhoundProblems(request).length === 0 ? 200 : 400 }));
    const communityId = '507f1f77bcf86cd799439011';
    const mapped = await context.tenant.createEndpoint({
      url: `${r.url}/mapped`,
      events: ['chat.*'],
      profile: 'threadhound',
      communityId,
      webhookTypes: {
        'chat.message.created': { webhookType: 'chatmessage-crud', actionType: 'created' },
        'chat.message.updated': { webhookType: 'chatmessage-crud', actionType: 'updated' },
        'chat.thread.created': { webhookType: 'chatthread-crud', actionType: 'created' },
        'chat.thread.updated': { webhookType: 'chatthread-crud', actionType: 'updated' },
      },
    });
    // No settings: the type split at its last dot, the tenant id as community.
    const plain = await context.tenant.createEndpoint({ url: `${r.url}/plain`, events: ['chatmessage-crud.*'], profile: 'threadhound' });
    await context.tenant.postEvent('chat.message.created', chatMessage);
    await context.tenant.postEvent('chat.message.updated', { ...chatMessage, text: 'Hello again' });
    await context.tenant.postEvent('chat.thread.updated', chatThread);
    await context.tenant.postEvent('chatmessage-crud.created', chatMessage);
    const sendTest = await context.tenant.admin('POST', `/webhooks/${mapped.id}/test`, {
      eventType: 'chat.thread.created',
      data: chatThread,
    });
    expect(sendTest.status).toBeLessThan(300);
    const requests = await r.waitForRequests(5, 60_000);

    for (const request of requests) expect(threadhoundProblems(request), `${request.path} ${request.body}`).toEqual([]);
    const mappedBodies = onPath(requests, '/mapped').map(json);
    const plainBodies = onPath(requests, '/plain').map(json);
    expect(mappedBodies.map((b) => [b.webhookType, b.actionType]).sort()).toEqual(
      [
        ['chatmessage-crud', 'created'],
        ['chatmessage-crud', 'updated'],
        ['chatthread-crud', 'created'],
        ['chatthread-crud', 'updated'],
      ].sort(),
    );
    expect(plainBodies.map((b) => [b.webhookType, b.actionType])).toEqual([['chatmessage-crud', 'created']]);
    for (const body of mappedBodies) expect(body.payload.communityId).toBe(communityId);
    expect(plainBodies[0].payload.communityId).toBe(context.tenant.id);
    // The document's order: communityId and timestamp first, then the type's fields as the event had them.
    const created = mappedBodies.find((b) => b.webhookType === 'chatmessage-crud' && b.actionType === 'created');
    expect(Object.keys(created.payload)).toEqual(['communityId', 'timestamp', ...threadhoundTypeFields['chatmessage-crud']]);
    expect(created.payload).toEqual({ communityId, timestamp: expect.any(String), ...chatMessage });
    for (const body of [...mappedBodies, ...plainBodies]) expect(Date.now() - Date.parse(body.payload.timestamp)).toBeLessThan(120_000);

    const stats = await Promise.all([context.tenant.stats(mapped.id), context.tenant.stats(plain.id)]);
    expect(stats.map((s) => s.state)).toEqual(['active', 'active']);
  });
});

describe('Task app', () => {
  it('X-Webhook-ID and webhook_id carry the webhook id; X-Webhook-Delivery-ID the delivery, the same on a retry', async () => {
    const r = await context.receiver();
    let secret = '';
    let failedOnce = false;
    r.respond((request) => {
      if (taskappProblems(request, secret).length > 0) return { status: 401 };
      // The first delivery of task_789 fails once: its retry must carry the same delivery id.
      if (!failedOnce && json(request).data.id === 'task_789') {
        failedOnce = true;
        return { status: 503 };
      }
      return { status: 200 };
    });
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['task.*'], profile: 'taskapp', retrySchedule: ['1s'] });
    secret = endpoint.secret;
    await context.tenant.postEvent('task.created', task);
    await context.tenant.postEvent('task.completed', { ...task, id: 'task_790', status: 'done' });
    const sendTest = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/test`, {});
    expect(sendTest.status).toBeLessThan(300);
    const requests = await r.waitForRequests(4, 60_000);

    for (const request of requests) expect(taskappProblems(request, secret), request.body).toEqual([]);
    for (const request of requests) {
      expect(request.headers['x-webhook-id']).toBe(endpoint.id);
      expect(json(request).webhook_id).toBe(endpoint.id);
    }
    const deliveryIds = (id: string) =>
      requests.filter((q) => json(q).data.id === id).map((q) => String(q.headers['x-webhook-delivery-id']));
    const [first, retry] = deliveryIds('task_789');
    expect(first).toMatch(/\S/);
    expect(retry).toBe(first);
    expect(deliveryIds('task_790')).toHaveLength(1);
    expect(deliveryIds('task_790')[0]).not.toBe(first);
    const log = await finalAttempt(context.tenant, endpoint.id, first!);
    expect(log.map((a) => [a.attempt, a.statusCode, a.final])).toEqual([
      [1, 503, false],
      [2, 200, true],
    ]);
    const body = json(requests.find((q) => json(q).data.id === 'task_789')!);
    expect(Object.keys(body)).toEqual(['event', 'timestamp', 'webhook_id', 'data']);
    expect(body).toMatchObject({ event: 'task.created', data: task });
  });
});

describe('ThreadHound: disabled at the first non-2xx or timeout', () => {
  it.each([
    { answer: 'a 500', reply: { status: 500, delayMs: 1_000 }, events: 5, error: /^receiver answered 500$/ },
    { answer: 'a timeout', reply: { hang: true }, events: 3, error: /timeout/i },
  ])('after $answer: exactly one request, the reason names it, the rest is parked', async ({ reply, events, error }) => {
    const r = await context.receiver();
    r.respond(() => reply);
    const type = `first.fail${events}`;
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: [type], profile: 'threadhound' });
    // Posted together: all are fanned out (and in delivery's hands) while the first request is still out.
    await Promise.all(Array.from({ length: events }, (_, n) => context.tenant.postEvent(type, { ...chatMessage, n })));

    // Every task has ended: the first dead (its attempt failed, no retries), the others parked unsent.
    await eventually(async () => (await deadLetterCount(context.tenant, endpoint.id)) === events, 60_000);
    expect(r.requests).toHaveLength(1);
    const deliveryId = String(r.requests[0]!.headers['webhook-id']);
    const stats = await eventually(async () => {
      const s = await context.tenant.stats(endpoint.id);
      return s.state === 'disabled' ? s : undefined;
    });
    const reason = stats.disabledReason ?? '';
    expect(reason.startsWith(`first failed delivery (${deliveryId}): `), reason).toBe(true);
    expect(reason.slice(`first failed delivery (${deliveryId}): `.length)).toMatch(error);
    const letters = (await context.tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters?state=dead&limit=100`)).body.data as {
      deliveryId: string;
      kind: string;
      reason: string;
    }[];
    expect(letters.filter((l) => l.kind === 'failed').map((l) => l.deliveryId)).toEqual([deliveryId]);
    const parked = letters.filter((l) => l.kind === 'parked');
    expect(parked).toHaveLength(events - 1);
    for (const letter of parked) expect(letter.reason).toBe(`endpoint disabled: ${reason}`);
    expect(r.requests).toHaveLength(1);
  });
});

describe('410 Gone (Svix’s rule)', () => {
  it('disables the endpoint at once, whatever its threshold, and parks what follows', async () => {
    const r = await context.receiver();
    r.respond(() => ({ status: 410 }));
    // The standard profile disables after 50 failures; a 410 must not wait for them.
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['gone.check'], maxConcurrency: 1 });
    await Promise.all([1, 2, 3].map((n) => context.tenant.postEvent('gone.check', { n })));

    await eventually(async () => (await deadLetterCount(context.tenant, endpoint.id)) === 3, 60_000);
    expect(r.requests).toHaveLength(1);
    const deliveryId = String(r.requests[0]!.headers['webhook-id']);
    const stats = await eventually(async () => {
      const s = await context.tenant.stats(endpoint.id);
      return s.state === 'disabled' ? s : undefined;
    });
    expect(stats.disabledReason).toBe(`receiver answered 410 Gone (${deliveryId}): the endpoint no longer exists`);
  });
});
