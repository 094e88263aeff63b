/**
 * Idle: what a quiet stack costs. One tenant, one endpoint and one delivered event (as `./dev up` leaves it),
 * a settle time, then each process's CPU time over a window with no traffic at all. The five services are
 * ours alone; Kafka and FerretDB are shared with whatever else runs on the machine, so their figures are only
 * an indication (an upper bound for this stack's share).
 */
import { benchProcesses, UsageSampler } from '../procstats.js';
import { fixed, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';

const services = ['ingest', 'fanout', 'delivery', 'projector', 'config-api'];

export async function idleScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const { idleSettleSeconds, idleSeconds } = ctx.config.profile;
  const { tenant } = await stack.tenant('idle', [{ path: '/idle' }]);
  await ctx.receiver.reset();
  await stack.submit('ingest', tenant, 1);
  await ctx.receiver.waitForOk(1, 60_000);
  console.log(`  one event delivered; settling ${idleSettleSeconds} s, then ${idleSeconds} s without traffic`);
  await new Promise((resolve) => setTimeout(resolve, idleSettleSeconds * 1000));
  const processes = benchProcesses().filter((p) => p.name !== 'receiver' && !p.name.startsWith('bench'));
  const sampler = UsageSampler.start(processes);
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const usage = sampler.stop();
  const idleCpuPercent = Object.fromEntries(usage.processes.map((p) => [p.name, round(p.cpuPercent)]));
  const servicesCpuPercent = round(usage.processes.filter((p) => services.includes(p.name)).reduce((sum, p) => sum + p.cpuPercent, 0));
  const totalCpuPercent = round(
    usage.processes.filter((p) => services.includes(p.name) || /^(kafka|ferretdb)/.test(p.name)).reduce((sum, p) => sum + p.cpuPercent, 0),
  );
  const rows = [
    ...usage.processes.map((p) => [p.name, fixed(p.cpuPercent, 2), fixed(p.rssEndMiB, 0)]),
    ['the five services', fixed(servicesCpuPercent, 2), ''],
    ['services + kafka + ferretdb', fixed(totalCpuPercent, 2), ''],
  ];
  const text = [
    `${fixed(usage.seconds, 0)} s without traffic after one delivered event; CPU time per process in % of one core`,
    `(machine busy ${fixed(usage.machineCpuPercent, 0)} % of a core over the window, other users included; * shared infrastructure)`,
    '',
    table(['process', 'idle CPU %', 'RSS MiB'], rows),
  ].join('\n');
  return { text, data: { seconds: usage.seconds, idleCpuPercent, servicesCpuPercent, totalCpuPercent, usage } };
}

const round = (n: number) => Math.round(n * 100) / 100;
