/**
 * Isolation: healthy endpoints' latency at 50 % of max, clean and then with one endpoint that hangs until the
 * delivery timeout and one that answers 500 (neither is auto-disabled, so both stay bad for the whole phase).
 */
import { drivePaced } from '../load.js';
import { cpuSummary, fixed, ratio, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';
import { maxRate, pacedTenant } from './shared.js';

const fraction = 0.5;

export async function isolationScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const max = await maxRate(ctx);
  const { pacedSeconds } = ctx.config.profile;
  const { tenant, fanout } = await pacedTenant(ctx, 'isolation');
  const paced = { entry: 'ingest' as const, tenant, fanout, eventsPerSecond: (fraction * max) / fanout, seconds: pacedSeconds };
  console.log(`  clean: ${fanout} healthy endpoints, ${(fraction * max).toFixed(0)} deliveries/s for ${pacedSeconds} s`);
  const clean = await drivePaced(stack, ctx.receiver, paced);
  const bad = { disableAfterConsecutiveFailures: null };
  const hanging = await tenant.createEndpoint({
    name: 'hanging',
    url: `${ctx.receiver.baseUrl}/hang/isolation`,
    events: ['bench.event'],
    ...bad,
  });
  const failing = await tenant.createEndpoint({
    name: 'failing',
    url: `${ctx.receiver.baseUrl}/fail/isolation`,
    events: ['bench.event'],
    ...bad,
  });
  console.log(`  with one hanging and one failing endpoint: same rate for ${pacedSeconds} s`);
  const dirty = await drivePaced(stack, ctx.receiver, paced);
  const badCounts = { ...ctx.receiver.counts };
  // Their retries and deferred tasks would load later scenarios; tasks of deleted endpoints are parked instead.
  await stack.deleteEndpoint(tenant, hanging.id);
  await stack.deleteEndpoint(tenant, failing.id);
  const rows = [
    [
      'clean',
      fixed(clean.latencyMs.p50, 1),
      fixed(clean.latencyMs.p99, 1),
      fixed(clean.latencyMs.max, 1),
      '1.00x',
      `${clean.missing}/${clean.refused}`,
      String(clean.deferred),
      cpuSummary(clean.usage),
    ],
    [
      '+ hanging + 500',
      fixed(dirty.latencyMs.p50, 1),
      fixed(dirty.latencyMs.p99, 1),
      fixed(dirty.latencyMs.max, 1),
      ratio(dirty.latencyMs.p99, clean.latencyMs.p99),
      `${dirty.missing}/${dirty.refused}`,
      String(dirty.deferred),
      cpuSummary(dirty.usage),
    ],
  ];
  const text = [
    `${fanout} healthy endpoints at ${(fraction * 100).toFixed(0)} % of max (${(fraction * max).toFixed(0)} deliveries/s), ${pacedSeconds} s per phase;`,
    `the bad pair got ${badCounts.hung} requests left hanging and ${badCounts.failed} answered 500`,
    '',
    table(['phase', 'healthy p50 ms', 'healthy p99 ms', 'max ms', 'p99 vs clean', 'missing/refused', 'deferred', 'CPU % of a core'], rows),
  ].join('\n');
  return {
    text,
    data: { fraction, maxDeliveriesPerSecond: max, clean, dirty, badCounts, p99Ratio: dirty.latencyMs.p99 / clean.latencyMs.p99 },
  };
}
