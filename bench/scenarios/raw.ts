/** Raw limit: a bare keep-alive node:http client to the receiver, and the delivery Sender alone, same body. */
import { rawClient, senderClient } from '../http-clients.js';
import { benchProcesses, UsageSampler } from '../procstats.js';
import { cpuSummary, fixed, ratio, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';

export async function rawScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { rawSeconds } = ctx.config.profile;
  const { concurrency } = ctx.config;
  const url = `${ctx.receiver.baseUrl}/ok/raw`;
  // Warm both paths (JIT, sockets) before measuring.
  await rawClient(url, 1_000, concurrency);
  await senderClient(url, 1_000, concurrency);
  await ctx.receiver.reset();
  let sampler = UsageSampler.start(benchProcesses());
  const raw = await rawClient(url, rawSeconds * 1000, concurrency);
  const rawUsage = sampler.stop();
  sampler = UsageSampler.start(benchProcesses());
  const sender = await senderClient(url, rawSeconds * 1000, concurrency);
  const senderUsage = sampler.stop();
  await ctx.receiver.reset();
  ctx.rawPerSecond = raw.perSecond;
  const rows = [
    [raw.name, fixed(raw.perSecond), '1.00x', fixed(raw.p50Ms, 2), fixed(raw.p99Ms, 2), cpuSummary(rawUsage)],
    [sender.name, fixed(sender.perSecond), ratio(sender.perSecond, raw.perSecond), fixed(sender.p50Ms, 2), fixed(sender.p99Ms, 2), cpuSummary(senderUsage)],
  ];
  const text = [
    `${rawSeconds} s each, concurrency ${concurrency}, ~1 KB signed JSON body, receiver in its own process`,
    '',
    table(['client', 'req/s', 'vs raw', 'p50 ms', 'p99 ms', 'CPU % of a core'], rows),
  ].join('\n');
  return { text, data: { seconds: rawSeconds, concurrency, raw: { ...raw, usage: rawUsage }, sender: { ...sender, usage: senderUsage } } };
}
