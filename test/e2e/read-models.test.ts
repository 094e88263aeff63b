import type { AttemptRecord } from '@hookline/core';
import { createKafkaEventLog, type EventLog, recordJson, TopicReader } from '@hookline/kafka';
import { latencyBucketBounds, latencyPercentile } from '@hookline/store';
import { type ExtraService, eventually, startExtraInstance } from '@hookline/testkit';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { MongoGate } from './support/mongo-gate.js';

/**
 * Several projector instances share the `attempts` partitions, and every counter the admin API shows must equal
 * what the attempts on the topic say. FerretDB v1 applies updates as read-modify-write, so a document two
 * projectors update (a tenant's chart buckets, fed from every partition; an endpoint's stats while a rebalance
 * overlaps) gains or loses counts. The first projector reaches MongoDB through a gate that can freeze it between
 * reading its counters and writing them, long enough for its partitions to move to another instance, as a long
 * pause would; then a steady load runs on three instances.
 */
const infra = inject('infra');
const gate = await MongoGate.start(infra.mongoUrl);
const ctx = useHookline({ HOOKLINE_TOPIC_PARTITIONS: '8', MONGO_URL: gate.url });
const extra: ExtraService[] = [];
let log: EventLog | undefined;
afterAll(async () => {
  gate.release();
  await Promise.all(extra.map((e) => e.stop()));
  await log?.close();
  await gate.close();
});

interface Tally {
  attempts: number;
  succeeded: number;
  failed: number;
  totalMs: number;
  latency: Record<string, number>;
  last?: AttemptRecord;
  consecutiveFailures: number;
}
const emptyTally = (): Tally => ({ attempts: 0, succeeded: 0, failed: 0, totalMs: 0, latency: {}, consecutiveFailures: 0 });
const bucketOf = (ms: number) => String(latencyBucketBounds.find((b) => ms <= b) ?? 'inf');

function add(tallies: Map<string, Tally>, key: string, a: AttemptRecord): void {
  const t = tallies.get(key) ?? emptyTally();
  const ok = a.outcome === 'success';
  t.attempts++;
  t.succeeded += ok ? 1 : 0;
  t.failed += ok ? 0 : 1;
  t.totalMs += a.durationMs;
  t.latency[bucketOf(a.durationMs)] = (t.latency[bucketOf(a.durationMs)] ?? 0) + 1;
  t.last = a;
  t.consecutiveFailures = ok ? 0 : t.consecutiveFailures + 1;
  tallies.set(key, t);
}

/** The summary the stats routes answer, as the topic says it should be. */
function summary(t: Tally) {
  const p95 = latencyPercentile(t.latency, 0.95);
  return {
    totalDeliveries: t.attempts,
    succeeded: t.succeeded,
    failed: t.failed,
    successRate: t.succeeded / t.attempts,
    averageResponseTimeMs: Math.round(t.totalMs / t.attempts),
    p95ResponseTimeMs: p95 === Number.POSITIVE_INFINITY ? '>30000' : p95,
  };
}

/** One chart point as the topic says it should be (`t` is the bucket start). */
function point(t: string, tally: Tally | undefined) {
  if (!tally) return { t, delivered: 0, failed: 0, avgMs: 0, p95Ms: 0 };
  const p95 = latencyPercentile(tally.latency, 0.95);
  return {
    t,
    delivered: tally.succeeded,
    failed: tally.failed,
    avgMs: Math.round(tally.totalMs / tally.attempts),
    p95Ms: p95 === null ? 0 : p95 === Number.POSITIVE_INFINITY ? 30_000 : p95,
  };
}

const minuteOf = (iso: string) => new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000).toISOString();

describe('read models under several projector instances', () => {
  it('show exactly the counters the attempts on the topic add up to', { timeout: 300_000 }, async () => {
    const { tenant, hookline } = ctx;
    const steady = await ctx.receiver();
    const direct = { MONGO_URL: infra.mongoUrl };

    // A former owner's late write: the first projector is frozen right before it writes the chart buckets of
    // an attempt; its session runs out, a second projector takes the partitions over and folds the attempt.
    const first = await tenant.createEndpoint({ name: 'first', url: steady.url, events: ['first.*'], retrySchedule: [] });
    const frozen = gate.hold('update', 'timeseries');
    await tenant.postEvent('first.one', { n: 0 });
    await frozen;
    extra.push(await startExtraInstance(hookline, 'projector', 'second', direct));
    await eventually(async () => (await tenant.stats(first.id)).totalDeliveries === 1 || undefined, 120_000, 250);
    // Thawed, the first projector writes what it had folded before the partitions moved.
    gate.release();

    const flaky = (await ctx.receiver()).respond((_, i) => ({ status: i % 3 === 0 ? 503 : 200 }));
    const endpoints = [first];
    for (let i = 0; i < 6; i++) {
      endpoints.push(
        await tenant.createEndpoint({
          name: `load ${i}`,
          url: (i % 2 ? flaky : steady).url,
          events: ['load.*'],
          retrySchedule: [],
          disableAfterConsecutiveFailures: null,
        }),
      );
    }
    // A steady trickle (small batches, so the projectors write often and at the same time), scheduled open loop:
    // one request of `perRequest` events every `everyMs`, whatever the answers take. A third projector joins
    // while it runs.
    const requests = 300;
    const perRequest = 4;
    const everyMs = 50;
    const events = requests * perRequest;
    const postBatch = async (r: number) => {
      const batch = Array.from({ length: perRequest }, (_, i) => ({ type: 'load.tick', data: { n: r * perRequest + i + 1 } }));
      const answer = await tenant.ingestApi.POST('/v1/events/batch', { body: { events: batch } });
      if (answer.response.status !== 202) throw new Error(`batch ${r}: ${answer.response.status}`);
    };
    const posts = Array.from(
      { length: requests },
      (_, r) => new Promise<void>((resolve, reject) => setTimeout(() => postBatch(r).then(resolve, reject), r * everyMs)),
    );
    extra.push(await startExtraInstance(hookline, 'projector', 'third', direct));
    await Promise.all(posts);
    const expected = events * (endpoints.length - 1) + 1;

    // The attempts as the topic has them (each attempt id once, as the read models count it).
    log = createKafkaEventLog({ brokers: infra.kafkaBrokers.split(','), clientId: 'read-models-test', logger: pino({ level: 'silent' }) });
    const topic = `${hookline.namespace}.attempts`;
    const reader = await TopicReader.start(log, [topic], `${hookline.namespace}-test-attempts`);
    const attempts = new Map<string, AttemptRecord>();
    const readAll = () => {
      for (const record of reader.of(topic)) {
        const a = recordJson<AttemptRecord>(record);
        if (a.tenantId === tenant.id && !attempts.has(a.attemptId)) attempts.set(a.attemptId, a);
      }
      return attempts.size >= expected;
    };
    try {
      await eventually(async () => readAll(), 180_000, 250);
    } finally {
      await reader.stop();
    }
    expect(attempts.size).toBe(expected);

    const byEndpoint = new Map<string, Tally>();
    const tenantTally = new Map<string, Tally>();
    const byMinute = new Map<string, Tally>();
    const byEndpointMinute = new Map<string, Tally>();
    for (const a of attempts.values()) {
      add(byEndpoint, a.endpointId, a);
      add(tenantTally, 'all', a);
      add(byMinute, minuteOf(a.startedAt), a);
      add(byEndpointMinute, `${a.endpointId}|${minuteOf(a.startedAt)}`, a);
    }
    const all = tenantTally.get('all')!;
    expect(all.failed).toBeGreaterThan(0);

    // The projectors have folded every attempt once the endpoints' counters reach the number of attempts (then
    // nothing else moves; a count above it is an attempt counted twice, caught below).
    await eventually(async () => {
      const list = (await tenant.admin('GET', '/stats/webhooks')).body.data as { totalDeliveries: number }[];
      return list.reduce((n, s) => n + s.totalDeliveries, 0) >= expected || undefined;
    }, 120_000);

    const stats = (await tenant.admin('GET', '/stats')).body;
    expect(stats).toMatchObject({ ...summary(all), failuresLast24h: all.failed });
    // Each endpoint's last attempt is the last one on the topic (attempts are keyed by endpoint), which need not
    // be the one that started last: two attempts in flight at once finish in either order. The tenant's is the
    // newest of those.
    expect(stats.lastDelivery.at).toBe(
      [...byEndpoint.values()]
        .map((t) => t.last!.startedAt)
        .sort()
        .at(-1),
    );

    const perEndpoint = (await tenant.admin('GET', '/stats/webhooks')).body.data as { webhookId: string }[];
    for (const endpoint of endpoints) {
      const t = byEndpoint.get(endpoint.id)!;
      const last = {
        at: t.last!.startedAt,
        status: t.last!.outcome,
        statusCode: t.last!.statusCode ?? null,
        error: t.last!.errorMessage ?? null,
      };
      const want = { ...summary(t), consecutiveFailures: t.consecutiveFailures, lastDelivery: last };
      expect(
        perEndpoint.find((s) => s.webhookId === endpoint.id),
        endpoint.name,
      ).toMatchObject(want);
      expect((await tenant.admin('GET', `/webhooks/${endpoint.id}/stats`)).body, endpoint.name).toMatchObject({
        ...want,
        failuresLast24h: t.failed,
      });
      const series = (await tenant.admin('GET', `/webhooks/${endpoint.id}/timeseries?window=1h`)).body;
      expect(series.points, endpoint.name).toEqual(
        series.points.map((p: { t: string }) => point(p.t, byEndpointMinute.get(`${endpoint.id}|${p.t}`))),
      );
    }

    const hour = (await tenant.admin('GET', '/timeseries?window=1h')).body;
    expect(hour.points).toEqual(hour.points.map((p: { t: string }) => point(p.t, byMinute.get(p.t))));
    const day = (await tenant.admin('GET', '/timeseries?window=24h')).body;
    const dayTotal = day.points.reduce((n: number, p: { delivered: number; failed: number }) => n + p.delivered + p.failed, 0);
    expect(dayTotal).toBe(expected);
  });
});
