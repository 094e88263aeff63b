import { eventually, requestJson } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { deadLetterCount, sentinelEvent, settleWithSentinel } from './support/settle.js';

const context = useHookline({ DELIVERY_TIMEOUT_MS: '2000' });

const deadCount = (endpointId: string) => deadLetterCount(context.tenant, endpointId);

describe('retry one delivery', () => {
  it('sends a dead-lettered delivery again as its next attempt, with the same webhook-id', async () => {
    const r = await context.receiver();
    let healthy = false;
    r.respond(() => ({ status: healthy ? 200 : 500 }));
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['retry.one'], retrySchedule: [] });
    await context.tenant.postEvent('retry.one', { n: 1 });
    await eventually(async () => (await deadCount(endpoint.id)) === 1);
    const [letter] = (await context.tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters`)).body.data;
    expect(letter).toMatchObject({ kind: 'failed', attempts: 1, reason: expect.stringMatching(/not retryable|exhausted/) });

    healthy = true;
    const retried = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/deliveries/${letter.deliveryId}/retry`);
    expect(retried.status).toBe(202);
    const requests = await r.waitForRequests(2);
    expect(requests[1]!.headers['webhook-id']).toBe(requests[0]!.headers['webhook-id']);
    const log = await eventually(async () => {
      const detail = await context.tenant.admin('GET', `/webhooks/${endpoint.id}/deliveries/${letter.deliveryId}`);
      return detail.body.status === 'success' ? detail.body : undefined;
    });
    expect(log.attempts).toBe(2);
    expect(await deadCount(endpoint.id)).toBe(0);
    expect((await context.tenant.admin('POST', `/webhooks/${endpoint.id}/deliveries/${letter.deliveryId}/retry`)).status).toBe(404);
  });
});

describe('replay', () => {
  it('replays 1,000 dead letters once the receiver is healthy again, with progress', async () => {
    const r = await context.receiver();
    let healthy = false;
    r.respond(() => ({ status: healthy ? 200 : 503 }));
    // The standard profile disables the endpoint after 50 consecutive failures: what follows is parked.
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['bulk.*'], retrySchedule: [] });
    for (let batch = 0; batch < 2; batch++) {
      const events = Array.from({ length: 500 }, (_, i) => ({ type: 'bulk.item', data: { seq: batch * 500 + i } }));
      const posted = await requestJson('POST', `${context.hookline.ingestUrl}/v1/events/batch`, {
        token: context.tenant.apiKey,
        body: { events },
      });
      expect(posted.status).toBe(202);
    }
    await eventually(async () => (await deadCount(endpoint.id)) === 1000, 120_000, 500);
    const state = await context.tenant.admin('GET', `/webhooks/${endpoint.id}`);
    expect(state.body.isActive).toBe(false);
    expect((await context.tenant.admin('POST', `/webhooks/${endpoint.id}/replay`, {})).status).toBe(409);

    healthy = true;
    expect((await context.tenant.admin('PATCH', `/webhooks/${endpoint.id}`, { isActive: true })).status).toBe(200);
    const before = r.requests.length;
    const started = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/replay`, {});
    expect(started.status).toBe(202);
    expect(started.body.total).toBe(1000);
    const progress: number[] = [];
    const job = await eventually(
      async () => {
        const polled = await context.tenant.admin('GET', `/replays/${started.body.jobId}`);
        progress.push(polled.body.done);
        return polled.body.state === 'done' ? polled.body : undefined;
      },
      60_000,
      50,
    );
    expect(job).toMatchObject({ total: 1000, done: 1000 });
    expect(progress.every((done, i) => i === 0 || done >= progress[i - 1]!)).toBe(true);

    await eventually(
      async () => {
        const seqs = new Set(r.requests.slice(before).map((q) => JSON.parse(q.body).data.seq));
        return seqs.size === 1000;
      },
      120_000,
      500,
    );
    console.log(
      `replay: ${r.requests.length - before} requests for 1000 dead letters; progress seen ${[...new Set(progress)].join(' → ')}`,
    );
    expect(await deadCount(endpoint.id)).toBe(0);
  });
});

describe('recover', () => {
  it('resends every event of a time range that the endpoint subscribes to, with the original webhook-ids', async () => {
    const r = await context.receiver();
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['recover.*'] });
    const since = new Date().toISOString();
    for (let seq = 0; seq < 5; seq++) await context.tenant.postEvent('recover.item', { seq });
    await context.tenant.postEvent('other.item', { seq: 99 });
    await r.waitForRequests(5);
    const first = r.requests.map((q) => String(q.headers['webhook-id'])).sort();

    const started = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/recover`, { since });
    expect(started.status).toBe(202);
    expect(started.body.total).toBeGreaterThanOrEqual(6);
    const job = await eventually(async () => {
      const polled = await context.tenant.admin('GET', `/replays/${started.body.jobId}`);
      return polled.body.state === 'done' ? polled.body : undefined;
    }, 60_000);
    expect(job.done).toBe(job.total);
    // The job is done, so every task it made is on the deliveries topic ahead of the sentinel's.
    const { others } = await settleWithSentinel(r, sentinelEvent(context.tenant, 'recover.sentinel'));
    expect(others).toHaveLength(10);
    expect(
      others
        .slice(5)
        .map((q) => String(q.headers['webhook-id']))
        .sort(),
    ).toEqual(first);
    expect((await context.tenant.admin('POST', `/webhooks/${endpoint.id}/recover`, { since: 'yesterday' })).status).toBe(422);
  });
});
