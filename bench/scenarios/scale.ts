/**
 * Scale out: the same load with one instance of fanout and delivery, then with a second of each on the same
 * topics and groups (the partitions split between them), then a paced run during which both second instances are
 * killed (SIGKILL): nothing may be lost, and what is sent twice carries the same webhook-id (the receiver counts
 * deliveries beyond one per event and endpoint).
 */
import { startExtraInstance } from '@hookline/testkit';
import { type CapacityResult, driveAtCapacity, drivePaced } from '../load.js';
import { cpuPerDelivery, cpuSummary, fixed, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';
import { pacedFanout } from './shared.js';

export async function scaleScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const { warmupSeconds, throughputSeconds, pacedSeconds } = ctx.config.profile;
  const specs = Array.from({ length: pacedFanout }, (_, i) => ({ path: `/ok/scale/${i}` }));
  const { tenant } = await stack.tenant('scale', specs);
  const capacity = () =>
    driveAtCapacity(stack, ctx.receiver, {
      entry: 'kafka',
      tenant,
      fanout: pacedFanout,
      // The second instances join their groups during the warm-up; a rebalance takes a few seconds.
      warmupSeconds: Math.max(warmupSeconds, 8),
      measureSeconds: throughputSeconds,
    });
  console.log(`  one instance of fanout and delivery, ${pacedFanout} endpoints, Kafka entry`);
  const one = await capacity();
  const extras = await Promise.all([
    startExtraInstance(stack.hookline, 'fanout', 'scale'),
    startExtraInstance(stack.hookline, 'delivery', 'scale'),
  ]);
  let killed = false;
  try {
    console.log('  two instances of each');
    const two = await capacity();
    const rate = Math.min(one.deliveriesPerSecond, two.deliveriesPerSecond) / 2;
    console.log(`  ${rate.toFixed(0)} deliveries/s for ${pacedSeconds} s; both second instances killed halfway`);
    const kill = setTimeout(
      () => {
        killed = true;
        void Promise.all(extras.map((extra) => extra.kill()));
      },
      (pacedSeconds * 1000) / 2,
    );
    const paced = await drivePaced(stack, ctx.receiver, {
      entry: 'kafka',
      tenant,
      fanout: pacedFanout,
      eventsPerSecond: rate / pacedFanout,
      seconds: pacedSeconds,
    });
    clearTimeout(kill);
    const expected = (paced.events - paced.refused) * pacedFanout;
    const lost = paced.missing;
    const duplicates = Math.max(0, paced.deliveries - (expected - lost));
    const row = (name: string, r: CapacityResult) => {
      const cpu = cpuPerDelivery(r.usage, r.deliveriesPerSecond, ctx.rawCpuMsPerRequest);
      return { name, deliveriesPerSecond: r.deliveriesPerSecond, ...cpu, usage: r.usage };
    };
    const rows = [row('one instance each', one), row('two instances each', two)];
    const text = [
      `${pacedFanout} endpoints, events produced to Kafka, at capacity (${throughputSeconds} s per case), then paced with a crash`,
      '',
      table(
        ['fanout + delivery', 'deliveries/s', 'CPU ms/delivery', 'CPU % of a core'],
        rows.map((r) => [r.name, fixed(r.deliveriesPerSecond), fixed(r.cpuMsPerDelivery ?? Number.NaN, 2), cpuSummary(r.usage)]),
      ),
      '',
      `Crash of both second instances halfway through ${paced.events} events x ${pacedFanout} endpoints: lost ${lost}, ` +
        `delivered more than once ${duplicates}, p99 ${fixed(paced.latencyMs.p99, 1)} ms, max ${fixed(paced.latencyMs.max, 1)} ms`,
      '',
      'On one machine a second instance shares the same cores, so it shows that the partitions split and nothing is lost, not a gain in throughput; docs/scaling.md works out what more machines carry.',
    ].join('\n');
    return {
      text,
      data: {
        oneInstance: rows[0],
        twoInstances: rows[1],
        crash: { events: paced.events, expected, lost, duplicates, latencyMs: paced.latencyMs },
      },
    };
  } finally {
    if (!killed) await Promise.all(extras.map((extra) => extra.stop()));
  }
}
