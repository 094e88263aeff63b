import { eventually } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { metricValue } from './support/metrics.js';
import { type SeedVerifier, taskappVerifier, thigVerifier, threadhoundVerifier, twigVerifier } from './support/seed-receivers.js';
import { deadLetterCount, finalAttempt, sentinelEvent, settleWithSentinel } from './support/settle.js';

/** Short tiers stand in for the seeds' minutes and hours; the code path (tier topics, pause/resume) is the same. */
const env = { HOOKLINE_RETRY_TIERS: '0s,1s,2s,3s,5s,30s,1m,5m,30m,1h,2h,5h,10h', DELIVERY_TIMEOUT_MS: '2000' };

const context = useHookline(env);
const receiver = () => context.receiver();

/** Gaps between consecutive requests, in ms. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

function expectSchedule(actual: number[], scheduleMs: number[]) {
  expect(actual).toHaveLength(scheduleMs.length);
  actual.forEach((gap, i) => {
    expect(gap, `retry ${i + 1} waited ${gap} ms for a ${scheduleMs[i]} ms tier`).toBeGreaterThanOrEqual(scheduleMs[i]! - 50);
    expect(gap, `retry ${i + 1} waited ${gap} ms for a ${scheduleMs[i]} ms tier`).toBeLessThanOrEqual(scheduleMs[i]! + 2_500);
  });
}

describe.each([
  { profile: 'thig', verifier: thigVerifier, schedule: ['1s', '2s', '3s'], failures: 3, shape: ['event', 'timestamp', 'data'] },
  {
    profile: 'twig',
    verifier: twigVerifier,
    schedule: ['1s', '1s', '2s', '3s'],
    failures: 4,
    shape: ['id', 'type', 'timestamp', 'data', 'organizationId'],
  },
  {
    profile: 'taskapp',
    verifier: taskappVerifier,
    schedule: ['1s', '2s', '3s'],
    failures: 2,
    shape: ['event', 'timestamp', 'webhook_id', 'data'],
  },
  { profile: 'threadhound', verifier: threadhoundVerifier, schedule: [], failures: 0, shape: ['webhookType', 'actionType', 'payload'] },
] as { profile: string; verifier: SeedVerifier; schedule: string[]; failures: number; shape: string[] }[])(
  '$profile profile',
  ({ profile, verifier, schedule, failures, shape }) => {
    it('is accepted by a receiver written from the seed, and retries on its schedule', async () => {
      const r = await receiver();
      let secret = '';
      r.respond((request, index) => ({ status: !verifier(request, secret) ? 401 : index < failures ? 503 : 200 }));
      const endpoint = await context.tenant.createEndpoint({
        url: `${r.url}/${profile}`,
        events: [`${profile}.*`],
        profile,
        retrySchedule: schedule,
      });
      secret = endpoint.secret;
      const type = profile === 'threadhound' ? 'threadhound.chatmessage-crud.created' : `${profile}.thing.created`;
      await context.tenant.postEvent(type, { communityId: 'c1', timestamp: new Date().toISOString(), n: 1 });

      const requests = await r.waitForRequests(failures + 1, 60_000);
      const stats = await eventually(async () => {
        const s = await context.tenant.stats(endpoint.id);
        return s.totalDeliveries === failures + 1 ? s : undefined;
      });
      expect(
        requests.every((q) => verifier(q, secret)),
        'every delivery verifies',
      ).toBe(true);
      expect(Object.keys(JSON.parse(requests[0]!.body))).toEqual(shape);
      expect(stats).toMatchObject({ succeeded: 1, failed: failures, state: 'active' });
      expectSchedule(
        gaps(requests.map((q) => q.receivedAt)),
        schedule.slice(0, failures).map((d) => Number.parseInt(d, 10) * 1000),
      );
      if (profile === 'threadhound')
        expect(JSON.parse(requests[0]!.body)).toMatchObject({
          webhookType: 'threadhound.chatmessage-crud',
          actionType: 'created',
          payload: { communityId: 'c1' },
        });
    });
  },
);

describe('retries and dead letters', () => {
  it('a receiver answering 500 three times then 200 gets the event once successfully, 4 attempts, one webhook-id', async () => {
    const r = await receiver();
    r.respond((_, index) => ({ status: index < 3 ? 500 : 200 }));
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['retry.once'], retrySchedule: ['1s', '1s', '1s', '1s'] });
    await context.tenant.postEvent('retry.once', { x: 1 });
    const requests = await r.waitForRequests(4, 60_000);
    const deliveryId = String(requests[0]!.headers['webhook-id']);
    // The success is the final attempt: nothing is scheduled after it.
    const log = await finalAttempt(context.tenant, endpoint.id, deliveryId);
    expect(log.map((a) => [a.attempt, a.statusCode, a.final])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 500, false],
      [4, 200, true],
    ]);
    const stats = await eventually(async () => {
      const s = await context.tenant.stats(endpoint.id);
      return s.totalDeliveries === 4 ? s : undefined;
    });
    expect(stats).toMatchObject({ succeeded: 1, failed: 3, consecutiveFailures: 0, lastDelivery: { status: 'success', statusCode: 200 } });
    const { others } = await settleWithSentinel(r, sentinelEvent(context.tenant, 'retry.once'));
    expect(others).toHaveLength(4);
    expect(new Set(others.map((q) => q.headers['webhook-id']))).toEqual(new Set([deliveryId]));
  });

  it('does not retry a 4xx other than 408/429', async () => {
    const r = await receiver();
    r.respond((request) => ({ status: request.body.includes('sentinel_') ? 200 : 400 }));
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['retry.no'], retrySchedule: ['1s', '1s'] });
    await context.tenant.postEvent('retry.no', {});
    const [first] = await r.waitForRequests(1, 30_000);
    // The 400 ends the delivery at once: its only attempt is final and it is dead-lettered.
    const log = await finalAttempt(context.tenant, endpoint.id, String(first!.headers['webhook-id']));
    expect(log.map((a) => [a.attempt, a.statusCode, a.final])).toEqual([[1, 400, true]]);
    await eventually(async () => (await deadLetterCount(context.tenant, endpoint.id)) === 1);
    const { others } = await settleWithSentinel(r, sentinelEvent(context.tenant, 'retry.no'));
    expect(others).toHaveLength(1);
    const stats = await eventually(async () => {
      const s = await context.tenant.stats(endpoint.id);
      return s.totalDeliveries === 2 ? s : undefined;
    });
    expect(stats).toMatchObject({ failed: 1, succeeded: 1 });
  });

  it('honours 429 Retry-After by waiting at least that long', async () => {
    const r = await receiver();
    r.respond((_, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 }));
    await context.tenant.createEndpoint({ url: r.url, events: ['retry.after'], retrySchedule: ['1s', '3s'] });
    await context.tenant.postEvent('retry.after', {});
    const [first, second] = await r.waitForRequests(2, 30_000);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(2_950);
  });

  it('treats a hanging receiver as a timeout and a redirect as a failed, unfollowed answer', async () => {
    const hanging = await receiver();
    hanging.respond(() => ({ hang: true }));
    const redirect = await receiver();
    redirect.respond(() => ({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }));
    const [a, b] = await Promise.all([
      context.tenant.createEndpoint({ url: hanging.url, events: ['odd.hang'], retrySchedule: [] }),
      context.tenant.createEndpoint({ url: redirect.url, events: ['odd.redirect'], retrySchedule: [] }),
    ]);
    await context.tenant.postEvent('odd.hang', {});
    await context.tenant.postEvent('odd.redirect', {});
    const [hangStats, redirectStats] = await eventually(async () => {
      const both = await Promise.all([context.tenant.stats(a.id), context.tenant.stats(b.id)]);
      return both.every((s) => s.totalDeliveries === 1) ? both : undefined;
    });
    expect(hangStats.lastDelivery?.error).toMatch(/timeout/i);
    expect(hangStats.averageResponseTimeMs).toBeGreaterThanOrEqual(1_900);
    expect(redirectStats.lastDelivery).toMatchObject({ statusCode: 302 });
    expect(redirectStats.lastDelivery?.error).toMatch(/not followed/);
    expect(redirect.requests).toHaveLength(1);
  });
});

describe('auto-disable', () => {
  it('disables a task-app endpoint after 3 consecutive failures and parks what is left', async () => {
    const r = await receiver();
    r.respond(() => ({ status: 500, body: 'boom' }));
    const endpoint = await context.tenant.createEndpoint({
      url: r.url,
      events: ['disable.taskapp'],
      profile: 'taskapp',
      retrySchedule: ['1s', '1s', '3s'],
    });
    await context.tenant.postEvent('disable.taskapp', {});
    await r.waitForRequests(3, 30_000);
    const disabled = await eventually(async () => {
      const s = await context.tenant.stats(endpoint.id);
      return s.state === 'disabled' ? s : undefined;
    });
    expect(disabled.disabledReason).toMatch(/3 consecutive failed deliveries; last error: receiver answered 500/);
    // The retry left after the third failure is parked when it comes due, not sent.
    await eventually(async () => (await deadLetterCount(context.tenant, endpoint.id)) === 1, 30_000);
    expect(r.requests).toHaveLength(3);
    const [letter] = (await context.tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters?state=dead`)).body.data;
    expect(letter).toMatchObject({ kind: 'parked', reason: expect.stringMatching(/^endpoint disabled/) });
    // Disabled endpoints get nothing new: once fanout has counted the event, it has made no task of it.
    const fanout = (name: string) => metricValue(context.hookline, 'fanout', name);
    const [eventsBefore, tasksBefore] = [await fanout('hookline_fanout_events_total'), await fanout('hookline_fanout_tasks_total')];
    await context.tenant.postEvent('disable.taskapp', {});
    await eventually(async () => (await fanout('hookline_fanout_events_total')) === eventsBefore + 1);
    expect(await fanout('hookline_fanout_tasks_total')).toBe(tasksBefore);
    expect(r.requests).toHaveLength(3);
    const reenabled = await context.tenant.admin('PATCH', `/webhooks/${endpoint.id}`, { isActive: true });
    expect(reenabled.body).toMatchObject({ isActive: true });
    expect(reenabled.body.disabledReason).toBeUndefined();
  });

  it('disables a ThreadHound endpoint at the first non-2xx', async () => {
    const r = await receiver();
    r.respond(() => ({ status: 404 }));
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['disable.th'], profile: 'threadhound' });
    await context.tenant.postEvent('disable.th', {});
    const stats = await eventually(async () => {
      const s = await context.tenant.stats(endpoint.id);
      return s.state === 'disabled' ? s : undefined;
    });
    expect(stats.disabledReason).toMatch(/^first failed delivery \(\S+\): receiver answered 404$/);
  });
});
