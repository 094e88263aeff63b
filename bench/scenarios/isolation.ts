/**
 * Isolation: healthy endpoints' latency at 50 % of max, clean and then with one endpoint that hangs until the
 * delivery timeout, one that answers 500 and one that dribbles its answer (none is auto-disabled, so all stay
 * bad for the whole phase). Two cases: every endpoint on the receiver's one origin (one connection pool for
 * all), and each endpoint on an origin of its own (127.0.0.2, 127.0.0.3, ...: one pool each).
 */

import { drivePaced, type PacedResult } from '../load.js';
import type { ReceiverCounts } from '../receiver.js';
import { cpuSummary, fixed, ratio, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';
import { drained, maxRate, pacedFanout } from './shared.js';

const fraction = 0.5;
/** The unmeasured run before each case's clean phase. */
const warmupSeconds = 5;

interface IsolationCase {
  name: 'shared origin' | 'origin per endpoint';
  key: 'sharedOrigin' | 'originPerEndpoint';
  clean: PacedResult;
  dirty: PacedResult;
  badCounts: ReceiverCounts;
  isolationP99Ratio: number;
}

export async function isolationScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const max = await maxRate(ctx);
  const { pacedSeconds } = ctx.config.profile;
  const cases: IsolationCase[] = [];
  for (const [name, key] of [
    ['shared origin', 'sharedOrigin'],
    ['origin per endpoint', 'originPerEndpoint'],
  ] as const) {
    cases.push(await runCase(ctx, name, key, max, pacedSeconds));
  }
  const shared = cases[0]!;
  const rows = cases.flatMap((c) => [
    row(`${c.name}: clean`, c.clean, c.clean),
    row(`${c.name}: + hanging + 500 + dribbling`, c.dirty, c.clean),
  ]);
  const text = [
    `${pacedFanout} healthy endpoints at ${(fraction * 100).toFixed(0)} % of max (${(fraction * max).toFixed(0)} deliveries/s), ${pacedSeconds} s per phase;`,
    ...cases.map(
      (c) =>
        `${c.name}: the bad three got ${c.badCounts.hung} requests left hanging, ${c.badCounts.failed} answered 500, ${c.badCounts.dribbled} dribbled; isolationP99Ratio ${fixed(c.isolationP99Ratio, 2)}`,
    ),
    '',
    table(
      ['case and phase', 'healthy p50 ms', 'healthy p99 ms', 'max ms', 'p99 vs clean', 'missing/refused', 'deferred', 'CPU % of a core'],
      rows,
    ),
  ].join('\n');
  return {
    text,
    data: {
      fraction,
      maxDeliveriesPerSecond: max,
      // The shared-origin case under the keys of the single case this scenario had before.
      clean: shared.clean,
      dirty: shared.dirty,
      badCounts: shared.badCounts,
      p99Ratio: shared.isolationP99Ratio,
      isolationP99Ratio: Object.fromEntries(cases.map((c) => [c.key, c.isolationP99Ratio])),
      cases,
    },
  };
}

async function runCase(
  ctx: BenchContext,
  name: IsolationCase['name'],
  key: IsolationCase['key'],
  max: number,
  pacedSeconds: number,
): Promise<IsolationCase> {
  const stack = await ctx.stack();
  const { receiver } = ctx;
  // Origins 0..9 for the healthy endpoints, 10..12 for the bad ones, when each endpoint has its own.
  const origin = (i: number) => (key === 'originPerEndpoint' ? receiver.origin(i) : receiver.baseUrl);
  const specs = Array.from({ length: pacedFanout }, (_, i) => ({ path: `/ok/isolation-${key}/${i}`, origin: origin(i) }));
  const { tenant } = await stack.tenant(`isolation-${key}`, specs);
  const paced = {
    entry: 'ingest' as const,
    tenant,
    fanout: pacedFanout,
    eventsPerSecond: (fraction * max) / pacedFanout,
    seconds: pacedSeconds,
  };
  // Unmeasured: the case's first seconds open its connections (a pool per origin) and, when the scenario runs
  // alone, warm the services up; a clean phase that carried that would make any later phase look better than it.
  await drivePaced(stack, receiver, { ...paced, seconds: warmupSeconds });
  await drained(ctx);
  console.log(`  ${name}, clean: ${pacedFanout} healthy endpoints, ${(fraction * max).toFixed(0)} deliveries/s for ${pacedSeconds} s`);
  const clean = await drivePaced(stack, receiver, paced);
  const bad = await Promise.all(
    (['hang', 'fail', 'dribble'] as const).map((kind, i) =>
      tenant.createEndpoint({
        name: `${kind}-${key}`,
        url: `${origin(pacedFanout + i)}/${kind}/isolation-${key}`,
        events: ['bench.event'],
        disableAfterConsecutiveFailures: null,
      }),
    ),
  );
  await drained(ctx);
  console.log(`  ${name}, with one hanging, one failing and one dribbling endpoint: same rate for ${pacedSeconds} s`);
  const dirty = await drivePaced(stack, receiver, paced);
  const badCounts = { ...receiver.counts };
  // Their retries and deferred tasks would load later phases; tasks of deleted endpoints are parked instead.
  for (const endpoint of bad) await stack.deleteEndpoint(tenant, endpoint.id);
  return { name, key, clean, dirty, badCounts, isolationP99Ratio: dirty.latencyMs.p99 / clean.latencyMs.p99 };
}

function row(label: string, phase: PacedResult, clean: PacedResult): string[] {
  return [
    label,
    fixed(phase.latencyMs.p50, 1),
    fixed(phase.latencyMs.p99, 1),
    fixed(phase.latencyMs.max, 1),
    ratio(phase.latencyMs.p99, clean.latencyMs.p99),
    `${phase.missing}/${phase.refused}`,
    String(phase.deferred),
    cpuSummary(phase.usage),
  ];
}
