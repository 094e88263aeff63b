/** Soak: paced at 50 % of max for 10 minutes (full profile); each service's RSS over it, and the heap it kept. */

import type { ServiceName } from '@hookline/testkit';
import { HeapSampler } from '../heap-sampler.js';
import { drivePaced } from '../load.js';
import { fixed, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';
import { drained, maxRate, pacedTenant } from './shared.js';

/** Growth beyond this (MiB and share of the start) counts as more than noise. */
const noiseMiB = 20;
const noiseShare = 0.1;
/** How long the groups' backlog may take to be worked off after the soak before it counts as left. */
const backlogWaitMs = 60_000;
/** Records per partition still to work off that count as caught up (what `drainBacklog` waits for). */
const backlogSlack = 200;

export async function soakScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const max = await maxRate(ctx);
  const { soakSeconds, soakFraction } = ctx.config.profile;
  const { tenant, fanout } = await pacedTenant(ctx, 'soak');
  await drained(ctx);
  console.log(`  ${(soakFraction * max).toFixed(0)} deliveries/s for ${soakSeconds} s`);
  const heap = HeapSampler.start(stack.hookline);
  const result = await drivePaced(stack, ctx.receiver, {
    entry: 'ingest',
    tenant,
    fanout,
    eventsPerSecond: (soakFraction * max) / fanout,
    seconds: soakSeconds,
  });
  const heapFigures = await heap.stop();
  // Deliveries are checked above; the read models are not, so a projector that stopped would pass unseen.
  const backlog = await stack.drainBacklog(backlogSlack, backlogWaitMs);
  const services = result.usage.processes.filter((p) => !p.name.includes('(shared)'));
  const processes = services.map((p) => {
    // Means of the first and last tenth of the samples: less sensitive to one GC cycle than two single samples.
    const samples = result.usage.rssSamples[p.name] ?? [];
    const tenth = Math.max(1, Math.floor(samples.length / 10));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const early = mean(samples.slice(0, tenth));
    const late = mean(samples.slice(-tenth));
    const growth = late - early;
    // The receiver and the bench keep every sample (arrival times, accept times) on purpose: not judged.
    const judged = p.name !== 'receiver' && !p.name.startsWith('bench');
    const retained = heapFigures.get(p.name as ServiceName);
    return {
      ...p,
      earlyMiB: early,
      lateMiB: late,
      growthMiB: growth,
      grew: judged && growth > noiseMiB && growth > noiseShare * early,
      ...(retained ? { heapRetainedEarlyMiB: retained.earlyRetainedMiB, heapRetainedLateMiB: retained.lateRetainedMiB } : {}),
    };
  });
  const rows = processes.map((p) => [
    p.name,
    fixed(p.rssStartMiB),
    fixed(p.rssEndMiB),
    fixed(p.rssMaxMiB),
    fixed(p.earlyMiB),
    fixed(p.lateMiB),
    `${p.growthMiB >= 0 ? '+' : ''}${fixed(p.growthMiB, 1)}`,
    p.grew ? 'GROWTH' : 'ok',
    p.heapRetainedEarlyMiB === undefined ? '' : `${fixed(p.heapRetainedEarlyMiB)} -> ${fixed(p.heapRetainedLateMiB ?? 0)}`,
    fixed(p.cpuPercent),
  ]);
  const text = [
    `${fanout} endpoints, ${(soakFraction * max).toFixed(0)} deliveries/s for ${soakSeconds} s: latency p50 ${fixed(result.latencyMs.p50, 1)} ms, p99 ${fixed(
      result.latencyMs.p99,
      1,
    )} ms, max ${fixed(result.latencyMs.max, 1)} ms, ${result.missing} missing; RSS sampled every second; heap kept: the`,
    'least V8 heap in use (/metrics, every 5 s) over the first and the last tenth, what survived collection',
    backlog.lagLeft <= backlogSlack
      ? `fanout, delivery and the projector caught up ${fixed(backlog.seconds, 0)} s after the soak`
      : `BEHIND: ${backlog.lagLeft} records left in a partition of fanout, delivery or the projector ${backlogWaitMs / 1000} s after the soak`,
    '',
    table(
      [
        'process',
        'RSS start MiB',
        'end',
        'max',
        'first 10 % mean',
        'last 10 % mean',
        'growth',
        `verdict (> ${noiseMiB} MiB and > ${noiseShare * 100} %)`,
        'heap kept MiB, first -> last 10 %',
        'CPU %',
      ],
      rows,
    ),
  ].join('\n');
  return {
    text,
    data: {
      maxDeliveriesPerSecond: max,
      soakSeconds,
      soakFraction,
      latencyMs: result.latencyMs,
      missing: result.missing,
      backlogAfter: backlog,
      processes,
    },
  };
}
