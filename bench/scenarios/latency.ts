/** Latency, event accepted by ingest -> delivery received, paced at fractions of the measured maximum rate. */
import { drivePaced, type PacedResult } from '../load.js';
import { cpuSummary, fixed, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';
import { drained, maxRate, pacedTenant } from './shared.js';

export async function latencyScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const max = await maxRate(ctx);
  const { latencyFractions, pacedSeconds } = ctx.config.profile;
  const { tenant, fanout } = await pacedTenant(ctx, 'latency');
  const phases: ({ fraction: number; deliveriesPerSecond: number; backlogWaitSeconds: number } & PacedResult)[] = [];
  for (const fraction of latencyFractions) {
    const deliveriesPerSecond = fraction * max;
    const backlog = await drained(ctx);
    console.log(`  ${(fraction * 100).toFixed(0)} % of max: ${deliveriesPerSecond.toFixed(0)} deliveries/s for ${pacedSeconds} s`);
    const result = await drivePaced(stack, ctx.receiver, {
      entry: 'ingest',
      tenant,
      fanout,
      eventsPerSecond: deliveriesPerSecond / fanout,
      seconds: pacedSeconds,
    });
    phases.push({ fraction, deliveriesPerSecond, backlogWaitSeconds: backlog.seconds, ...result });
  }
  const rows = phases.map((p) => [
    `${(p.fraction * 100).toFixed(0)} %`,
    fixed(p.deliveriesPerSecond),
    fixed(p.latencyMs.p50, 1),
    fixed(p.latencyMs.p95, 1),
    fixed(p.latencyMs.p99, 1),
    fixed(p.latencyMs.max, 1),
    `${fixed(p.hopsMs.acceptedToTask.p50, 1)} / ${fixed(p.hopsMs.acceptedToTask.p99, 1)}`,
    `${fixed(p.hopsMs.taskToDelivered.p50, 1)} / ${fixed(p.hopsMs.taskToDelivered.p99, 1)}`,
    `${fixed(p.hopsMs.sentToDelivered.p50, 1)} / ${fixed(p.hopsMs.sentToDelivered.p99, 1)}`,
    `${p.missing}/${p.refused}`,
    cpuSummary(p.usage),
  ]);
  const text = [
    `${fanout} endpoints, events posted to ingest open loop for ${pacedSeconds} s per rate; max = ${max.toFixed(0)} deliveries/s`,
    '',
    table(
      [
        'rate',
        'deliveries/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'accepted -> task p50 / p99',
        'task -> delivered p50 / p99',
        'sent -> delivered p50 / p99',
        'missing/refused',
        'CPU % of a core',
      ],
      rows,
    ),
  ].join('\n');
  return { text, data: { maxDeliveriesPerSecond: max, pacedSeconds, fanout, phases } };
}
