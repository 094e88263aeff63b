import { eventually } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { haveChromium, useAdminPage } from './support/admin-page.js';
import { useHookline } from './support/harness.js';

const context = useHookline();
const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const seqs = (requests: { body: string; reply?: { status?: number } }[]) =>
  requests.filter((q) => q.reply?.status === 200).map((q) => JSON.parse(q.body).data.seq as number);

/**
 * What delivery knows only in memory made visible: an endpoint's circuit (state, since, until, history of
 * transitions) and its strictly ordered lanes (blocked, since when, which keys), through `attempts`, the
 * projector and the webhook stats route, and on the webhook's page.
 */
describe('circuit breaker and ordering state in the API and on the page', () => {
  it('shows a circuit going open → half-open → closed with its history', async () => {
    const r = await context.receiver();
    let healthy = false;
    r.respond(() => ({ status: healthy ? 200 : 503 }));
    const endpoint = await context.tenant.createEndpoint({
      url: r.url,
      events: ['breaker.*'],
      maxConcurrency: 1,
      retrySchedule: ['5s', '5s', '5s', '5s', '5s', '5s'],
      disableAfterConsecutiveFailures: null,
      circuitBreaker: { minAttempts: 3, failureRatePercent: 100, cooldownSeconds: 2 },
    });
    const before = await context.tenant.stats(endpoint.id);
    expect(before.circuit).toEqual({ state: 'closed', since: null, history: [] });
    const started = new Date().toISOString();
    for (let seq = 0; seq < 6; seq++) await context.tenant.postEvent('breaker.tick', { seq });

    const open = await eventually(async () => {
      const { circuit } = await context.tenant.stats(endpoint.id);
      return circuit.history.some((t) => t.from === 'closed' && t.to === 'open') ? circuit : undefined;
    });
    const opened = open.history.find((t) => t.from === 'closed' && t.to === 'open')!;
    expect(opened).toMatchObject({
      reason: '3 of the last 3 attempts failed',
      failed: 3,
      attempts: 3,
      until: expect.stringMatching(isoTime),
    });
    expect(opened.at >= started).toBe(true);
    expect(Date.parse(opened.until!) - Date.parse(opened.at)).toBe(2_000);

    healthy = true;
    // The probe after the cool-down succeeds and closes the circuit; everything held back is delivered.
    await eventually(async () => new Set(seqs(r.requests)).size === 6, 90_000, 250);
    const closed = await eventually(async () => {
      const { circuit } = await context.tenant.stats(endpoint.id);
      return circuit.state === 'closed' && circuit.since ? circuit : undefined;
    });
    // Newest first: the last three changes are the probe's way back.
    expect(closed.history.slice(0, 3).map((t) => [t.from, t.to])).toEqual([
      ['half-open', 'closed'],
      ['open', 'half-open'],
      [expect.stringMatching(/^(closed|half-open)$/), 'open'],
    ]);
    expect(closed.history[0]!.reason).toBe('the probe succeeded');
    expect(closed.since).toBe(closed.history[0]!.at);
    expect(closed).not.toHaveProperty('until');
  });

  it('shows a strictly ordered endpoint blocked since its first failure, per key, and unblocked once the receiver recovers', async () => {
    const r = await context.receiver();
    let healthy = false;
    r.respond(() => ({ status: healthy ? 200 : 503 }));
    const endpoint = await context.tenant.createEndpoint({
      url: r.url,
      events: ['order.*'],
      ordering: 'strict',
      orderingKey: 'data.orderId',
      retrySchedule: ['5s', '5s', '5s', '5s', '5s', '5s', '5s', '5s', '5s', '5s'],
      disableAfterConsecutiveFailures: null,
    });
    expect((await context.tenant.stats(endpoint.id)).ordering).toEqual({ blocked: false, blockedSince: null, blockedLanes: 0, lanes: [] });
    const started = new Date().toISOString();
    for (let seq = 0; seq < 6; seq++) await context.tenant.postEvent('order.updated', { orderId: `o${seq % 2}`, seq });

    const blocked = await eventually(async () => {
      const { ordering } = await context.tenant.stats(endpoint.id);
      return ordering.blockedLanes === 2 ? ordering : undefined;
    });
    expect(blocked.blocked).toBe(true);
    expect(blocked.blockedSince).toMatch(isoTime);
    expect(blocked.blockedSince! >= started).toBe(true);
    expect(blocked.lanes.map((l) => l.key).sort()).toEqual(['"o0"', '"o1"']);
    expect(blocked.blockedSince).toBe(blocked.lanes[0]!.since);
    // Still failing: the heads are retried in place, nothing behind them overtook.
    expect(seqs(r.requests)).toEqual([]);

    healthy = true;
    await eventually(async () => new Set(seqs(r.requests)).size === 6, 60_000, 250);
    const cleared = await eventually(async () => {
      const { ordering } = await context.tenant.stats(endpoint.id);
      return ordering.blocked ? undefined : ordering;
    });
    expect(cleared).toEqual({ blocked: false, blockedSince: null, blockedLanes: 0, lanes: [] });
    for (const key of [0, 1]) {
      const order = seqs(r.requests).filter((seq) => seq % 2 === key);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  describe.skipIf(!haveChromium)('on the page', () => {
    const { logIn, shot } = useAdminPage(() => context.hookline.configApiUrl);

    it('shows both on the webhook page: the circuit with its history, and "blocked since HH:MM:SS, 1 lane"', async () => {
      const r = await context.receiver();
      let healthy = false;
      r.respond(() => ({ status: healthy ? 200 : 503 }));
      const breaker = await context.tenant.createEndpoint({
        name: 'breaker',
        url: r.url,
        events: ['page.breaker'],
        maxConcurrency: 1,
        retrySchedule: ['5s', '5s', '5s'],
        disableAfterConsecutiveFailures: null,
        circuitBreaker: { minAttempts: 2, failureRatePercent: 100, cooldownSeconds: 60 },
      });
      const strict = await context.tenant.createEndpoint({
        name: 'strict',
        url: r.url,
        events: ['page.ordered'],
        ordering: 'strict',
        retrySchedule: ['5s', '5s', '5s', '5s', '5s', '5s', '5s', '5s', '5s', '5s'],
        disableAfterConsecutiveFailures: null,
      });
      for (let seq = 0; seq < 3; seq++) await context.tenant.postEvent('page.breaker', { seq });
      for (let seq = 0; seq < 2; seq++) await context.tenant.postEvent('page.ordered', { seq });
      await eventually(async () => (await context.tenant.stats(breaker.id)).circuit.state === 'open');
      const { blockedSince } = await eventually(async () => {
        const { ordering } = await context.tenant.stats(strict.id);
        return ordering.blocked ? ordering : undefined;
      });

      try {
        const page = await logIn(context.tenant.apiKey);

        await page.goto(`${context.hookline.configApiUrl}/admin/webhooks/${breaker.id}`);
        await expect.poll(() => page.getByTestId('circuit-state').textContent()).toBe('Open');
        expect(await page.getByTestId('circuit-since').textContent()).toMatch(/^since \d\d:\d\d:\d\d · next probe at \d\d:\d\d:\d\d$/);
        const rows = page.getByTestId('circuit-history').locator('tbody tr');
        expect(await rows.count()).toBeGreaterThanOrEqual(1);
        expect(await rows.first().textContent()).toMatch(/Closed → Open\s*2 of the last 2 attempts failed/);
        await shot(page, 'circuit-open');

        await page.goto(`${context.hookline.configApiUrl}/admin/webhooks/${strict.id}`);
        const hhmmss = new Date(blockedSince!).toLocaleTimeString('en-GB', {
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          hour12: false,
        });
        await expect.poll(() => page.getByTestId('ordering-state').textContent()).toBe(`blocked since ${hhmmss}, 1 lane`);
        await shot(page, 'ordering-blocked');
        // No breaker on this endpoint: no circuit block.
        expect(await page.getByTestId('circuit-state').count()).toBe(0);
      } finally {
        healthy = true;
      }
    });
  });
});
