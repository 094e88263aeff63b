import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, repoRoot, serviceNames } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { health, metricValue, scrape } from './support/metrics.js';
import { sentinelEvent, settleWithSentinel } from './support/settle.js';

// Lag is measured every half second and counts as degraded above 5 records, so a stuck endpoint shows quickly.
const context = useHookline({ HOOKLINE_LAG_INTERVAL_MS: '500', HOOKLINE_HEALTH_MAX_CONSUMER_LAG: '5', DELIVERY_TIMEOUT_MS: '15000' });

describe('metrics', () => {
  it('count every event, task, attempt and projection: after N deliveries the counters say N', async () => {
    const N = 25;
    const { hookline, tenant } = context;
    const r = await context.receiver();
    await tenant.createEndpoint({ url: r.url, events: ['metric.counted'] });
    for (let i = 0; i < N; i += 5) await Promise.all([0, 1, 2, 3, 4].map((j) => tenant.postEvent('metric.counted', { i: i + j })));
    await r.waitForRequests(N);
    await eventually(async () => (await metricValue(hookline, 'projector', 'hookline_projected_attempts_total', { result: 'new' })) === N);

    expect(await metricValue(hookline, 'ingest', 'hookline_events_in_total')).toBe(N);
    // Ingest planned every event's task; fanout reads the events too and counts them, maybe after the deliveries.
    expect(await metricValue(hookline, 'ingest', 'hookline_ingest_events_planned_total', { planner: 'ingest' })).toBe(N);
    expect(await metricValue(hookline, 'ingest', 'hookline_ingest_tasks_total')).toBe(N);
    await eventually(async () => (await metricValue(hookline, 'fanout', 'hookline_fanout_events_total')) === N);
    expect(await metricValue(hookline, 'fanout', 'hookline_fanout_planned_at_ingest_total')).toBe(N);
    expect(await metricValue(hookline, 'fanout', 'hookline_fanout_tasks_total')).toBe(0);
    expect(await metricValue(hookline, 'delivery', 'hookline_deliveries_total', { outcome: 'success' })).toBe(N);
    expect(await metricValue(hookline, 'delivery', 'hookline_deliveries_total')).toBe(N);
    expect(await metricValue(hookline, 'delivery', 'hookline_attempt_duration_seconds_count')).toBe(N);
    expect(await metricValue(hookline, 'projector', 'hookline_projected_attempts_total', { result: 'duplicate' })).toBe(0);
    expect(r.requests).toHaveLength(N);
    // Requests by route template and status: the events posted, the endpoint created.
    expect(
      await metricValue(hookline, 'ingest', 'hookline_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/events',
        status: '202',
      }),
    ).toBe(N);
    expect(
      await metricValue(hookline, 'config-api', 'hookline_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/admin/webhooks',
        status: '201',
      }),
    ).toBe(1);

    // Consumer lag per group and topic, measured from the committed offsets: all caught up.
    const ns = hookline.namespace;
    await eventually(
      async () =>
        (await metricValue(hookline, 'fanout', 'hookline_consumer_lag_messages', { group: `${ns}-fanout`, topic: `${ns}.events` })) === 0,
    );
    await eventually(
      async () =>
        (await metricValue(hookline, 'delivery', 'hookline_consumer_lag_messages', {
          group: `${ns}-delivery`,
          topic: `${ns}.deliveries`,
        })) === 0,
    );
    await eventually(
      async () =>
        (await metricValue(hookline, 'projector', 'hookline_consumer_lag_messages', {
          group: `${ns}-projector`,
          topic: `${ns}.attempts`,
        })) === 0,
    );
    // Every metric is Hookline's (or Node's default) and carries the service label.
    for (const service of serviceNames) {
      const samples = await scrape(hookline, service);
      expect(samples.every((s) => s.labels.service === service)).toBe(true);
    }
  });

  it('count endpoints by state and dead letters by state', async () => {
    const { hookline, tenant } = context;
    const r = await context.receiver();
    r.respond(() => ({ status: 410 })); // not retried: dead-lettered at once
    await tenant.createEndpoint({ url: 'http://127.0.0.2/off', events: ['x.y'], isActive: false });
    await tenant.createEndpoint({ url: r.url, events: ['metric.dead'] });
    await tenant.postEvent('metric.dead', {});
    await eventually(async () => (await metricValue(hookline, 'projector', 'hookline_endpoints', { state: 'disabled' })) === 1);
    expect(await metricValue(hookline, 'projector', 'hookline_endpoints', { state: 'active' })).toBe(2);
    await eventually(async () => (await metricValue(hookline, 'projector', 'hookline_dead_letters', { state: 'dead' })) === 1);
    expect(await metricValue(hookline, 'delivery', 'hookline_dead_lettered_total', { kind: 'failed' })).toBe(1);
  });
});

describe('health and readiness', () => {
  it('every service is ready and ok with its checks listed', async () => {
    for (const service of serviceNames) {
      expect((await fetch(`${context.hookline.serviceUrl(service)}/ready`)).status).toBe(200);
      const result = await eventually(async () => {
        const h = await health(context.hookline, service);
        return h.body.status === 'ok' ? h : undefined;
      });
      expect(result.status).toBe(200);
      expect(Object.keys(result.body.checks).length).toBeGreaterThan(0);
    }
    expect(Object.keys((await health(context.hookline, 'projector')).body.checks)).toEqual([
      'config',
      'producer',
      'attempts',
      'consumerLag',
      'mongo',
    ]);
    // Where the thig.ai API document puts it, with the same answer.
    const seedPath = await fetch(`${context.hookline.configApiUrl}/api/health`);
    expect(seedPath.status).toBe(200);
    expect(((await seedPath.json()) as { status: string }).status).toBe('ok');
  });

  it('says degraded (still 200) with the reason while an endpoint holds deliveries back, and ok again after', async () => {
    const { hookline, tenant } = context;
    const r = await context.receiver();
    r.respond(() => ({ status: 200, delayMs: 4_000 }));
    await tenant.createEndpoint({ url: r.url, events: ['metric.slow'], maxConcurrency: 1 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => tenant.postEvent('metric.slow', { i })));
    const degraded = await eventually(
      async () => {
        const h = await health(hookline, 'delivery');
        return h.body.status === 'degraded' ? h : undefined;
      },
      30_000,
      250,
    );
    expect(degraded.status).toBe(200);
    expect(degraded.body.checks.consumerLag).toMatchObject({ status: 'degraded' });
    expect(degraded.body.checks.consumerLag!.reason).toMatch(
      new RegExp(`${hookline.namespace}-delivery is \\d+ records behind on ${hookline.namespace}\\.deliveries \\(limit 5\\)`),
    );
    r.respond(() => ({ status: 200 }));
    await eventually(async () => (await health(hookline, 'delivery')).body.status === 'ok', 90_000, 500);
  });
});

describe('graceful shutdown', () => {
  it('delivery stopped with SIGTERM under load finishes the requests it sent, hands back the rest and commits: nothing lost, nothing sent twice', async () => {
    const { hookline, tenant } = context;
    const r = await context.receiver();
    let delayMs = 2_000; // slow answers: the stop begins with most tasks still waiting their endpoint's turn
    r.respond(() => ({ status: 200, delayMs }));
    await tenant.createEndpoint({ url: r.url, events: ['metric.shutdown'], maxConcurrency: 4 });
    const N = 60;
    const post = (from: number, count: number) =>
      Promise.all(Array.from({ length: count }, (_, j) => tenant.postEvent('metric.shutdown', { i: from + j })));
    for (let i = 0; i < 40; i += 10) await post(i, 10);
    await r.waitForRequests(4);
    // Mid-load: it is no longer ready, works on what it has taken for its grace period (9 s), then hands back
    // what has not started, finishes what was sent, and commits before it exits.
    const stopped = hookline.signal('delivery', 'SIGTERM');
    let exited = false;
    void stopped.then(() => (exited = true));
    // Not ready from the moment the stop begins (polled while the process still runs its grace period).
    const ready = await eventually(
      async () => {
        if (exited) throw new Error('delivery exited before it answered /ready with 503');
        const response = await fetch(`${hookline.serviceUrl('delivery')}/ready`);
        return response.status === 503 ? response : undefined;
      },
      9_000,
      50,
    );
    expect(await ready.json()).toEqual({ ready: false, phase: 'stopping' });
    await stopped;
    // The tasks still waiting their turn after the grace period were handed back, not sent.
    expect(r.requests.length).toBeLessThan(40);
    delayMs = 100;
    const log = readFileSync(join(repoRoot, '.hookline', 'test-logs', hookline.namespace, 'delivery.log'), 'utf8');
    expect(log).toContain('"msg":"stopped"');
    expect(log).not.toContain('graceful stop timed out');
    await post(40, N - 40); // accepted while no delivery process runs
    await hookline.startService('delivery');
    await eventually(async () => new Set(r.requests.map((q) => q.headers['webhook-id'])).size === N, 60_000);
    // Anything redelivered is on the deliveries topic ahead of the sentinel.
    const { others } = await settleWithSentinel(r, sentinelEvent(tenant, 'metric.shutdown'));
    const ids = others.map((q) => q.headers['webhook-id']);
    expect(new Set(ids).size).toBe(N);
    expect(ids).toHaveLength(N);
  });
});
