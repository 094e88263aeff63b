/** Pieces several scenarios use: the maximum rate to pace against and the 10-endpoint tenant. */
import { driveAtCapacity } from '../load.js';
import type { BenchTenant } from '../stack.js';
import type { BenchContext } from './context.js';

export const pacedFanout = 10;

/** The measured maximum (throughput scenario), BENCH_MAX_RATE, or a short measurement of its own. */
export async function maxRate(ctx: BenchContext): Promise<number> {
  ctx.maxDeliveriesPerSecond ??= ctx.config.maxRateOverride;
  if (ctx.maxDeliveriesPerSecond === undefined) {
    const { tenant } = await pacedTenant(ctx, 'calibration');
    console.log('  (no throughput scenario in this run: measuring the maximum rate, ingest, 10 endpoints, 10 s)');
    const result = await driveAtCapacity(await ctx.stack(), ctx.receiver, {
      entry: 'ingest',
      tenant: tenant,
      fanout: pacedFanout,
      warmupSeconds: 3,
      measureSeconds: 10,
    });
    ctx.maxDeliveriesPerSecond = result.deliveriesPerSecond;
  }
  return ctx.maxDeliveriesPerSecond;
}

/** A fresh tenant with 10 healthy endpoints under `/ok/<name>/`. */
export async function pacedTenant(ctx: BenchContext, name: string): Promise<BenchTenant & { fanout: number }> {
  const stack = await ctx.stack();
  const specs = Array.from({ length: pacedFanout }, (_, i) => ({ path: `/ok/${name}/${i}` }));
  return { ...(await stack.tenant(name, specs)), fanout: pacedFanout };
}

/**
 * Before a paced phase: waits until the services have worked off what earlier phases left (`drainBacklog`), so
 * that the phase's latency is its own. Says how long that took when it took a while.
 */
export async function drained(ctx: BenchContext): Promise<{ seconds: number; lagLeft: number }> {
  const waited = await (await ctx.stack()).drainBacklog();
  if (waited.seconds >= 1) {
    console.log(`  (waited ${waited.seconds.toFixed(0)} s for the backlog of earlier phases; ${waited.lagLeft} records left)`);
  }
  return waited;
}
