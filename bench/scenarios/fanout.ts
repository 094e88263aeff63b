/** Fan-out: one event to N endpoints (10,000 in the full profile); time from accept to the last delivery. */
import { percentiles } from '../load.js';
import { benchProcesses, UsageSampler } from '../procstats.js';
import { cpuSummary, fixed, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';

export async function fanoutScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const endpoints = ctx.config.profile.fanoutEndpoints;
  console.log(`  creating ${endpoints} endpoints`);
  const specs = Array.from({ length: endpoints }, (_, i) => ({ path: `/ok/fanout/${i}` }));
  const { tenant, creationSeconds } = await stack.tenant('fanout', specs, 32);
  await ctx.receiver.reset();
  const seq = stack.seqCount;
  const sampler = UsageSampler.start(benchProcesses());
  await stack.postEvents(tenant, 1);
  let missing = 0;
  await ctx.receiver.waitForOk(endpoints, 600_000).catch(() => (missing = endpoints - ctx.receiver.counts.ok));
  const usage = sampler.stop();
  const accepted = stack.acceptedAt[seq]!;
  const { times } = await ctx.receiver.collect();
  const latencies = times.map((t) => t - accepted);
  const figures = percentiles(latencies);
  const firstMs = Math.min(...latencies);
  const lastMs = figures.max;
  const rows = [
    [
      String(endpoints),
      fixed(creationSeconds, 1),
      fixed(endpoints / creationSeconds),
      fixed(firstMs),
      fixed(figures.p50),
      fixed(lastMs),
      fixed(endpoints / (lastMs / 1000)),
      String(missing),
      cpuSummary(usage),
    ],
  ];
  const text = table(
    ['endpoints', 'created in s', 'creates/s', 'first ms', 'half ms', 'last ms', 'deliveries/s', 'missing', 'CPU % of a core'],
    rows,
  );
  return { text, data: { endpoints, creationSeconds, firstMs, lastMs, latencyMs: figures, missing, usage } };
}
