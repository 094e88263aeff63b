/**
 * Raw limit: a bare keep-alive node:http client to the receiver, and the delivery Sender alone, same body.
 * Each runs as long as a throughput case in all, in alternating rounds, so a burst of other load on the machine
 * does not fall on one of them only.
 */
import { type ClientResult, rawClient, senderClient } from '../http-clients.js';
import { benchProcesses, type UsageReport, UsageSampler } from '../procstats.js';
import { cpuSummary, fixed, ratio, table } from '../report.js';
import type { BenchContext, ScenarioResult } from './context.js';

interface Rounds {
  name: string;
  rounds: ClientResult[];
  usages: UsageReport[];
}

export async function rawScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { rawSeconds, rawRounds } = ctx.config.profile;
  const { concurrency } = ctx.config;
  const url = `${ctx.receiver.baseUrl}/ok/raw`;
  const roundMs = (rawSeconds * 1000) / rawRounds;
  // Warm both paths (JIT, sockets) before measuring.
  await rawClient(url, 1_000, concurrency);
  await senderClient(url, 1_000, concurrency);
  const raw: Rounds = { name: 'bare node:http (raw limit)', rounds: [], usages: [] };
  const sender: Rounds = { name: 'Hookline Sender (undici)', rounds: [], usages: [] };
  for (let round = 0; round < rawRounds; round++) {
    for (const [client, run] of [
      [raw, rawClient],
      [sender, senderClient],
    ] as const) {
      await ctx.receiver.reset();
      const sampler = UsageSampler.start(benchProcesses());
      client.rounds.push(await run(url, roundMs, concurrency));
      client.usages.push(sampler.stop());
    }
  }
  await ctx.receiver.reset();
  const summary = (client: Rounds) => {
    const requests = client.rounds.reduce((n, r) => n + r.requests, 0);
    const seconds = client.rounds.reduce((n, r) => n + r.seconds, 0);
    const sortedP50 = client.rounds.map((r) => r.p50Ms).sort((a, b) => a - b);
    return {
      name: client.name,
      perSecond: requests / seconds,
      p50Ms: sortedP50[Math.floor(sortedP50.length / 2)]!,
      p99Ms: Math.max(...client.rounds.map((r) => r.p99Ms)),
      roundsPerSecond: client.rounds.map((r) => r.perSecond),
      usage: client.usages[client.usages.length - 1]!,
    };
  };
  const rawSummary = summary(raw);
  const senderSummary = summary(sender);
  ctx.rawPerSecond = rawSummary.perSecond;
  // The raw client runs in the bench process: its CPU over all rounds per request it made.
  const clientCpuSeconds = raw.usages.reduce((sum, u) => {
    const bench = u.processes.find((p) => p.name === 'bench (load generator)');
    return sum + ((bench?.cpuPercent ?? 0) / 100) * u.seconds;
  }, 0);
  const rawRequests = raw.rounds.reduce((n, r) => n + r.requests, 0);
  const rawCpuMsPerRequest = rawRequests > 0 ? (clientCpuSeconds * 1000) / rawRequests : Number.NaN;
  ctx.rawCpuMsPerRequest = rawCpuMsPerRequest;
  const rows = [rawSummary, senderSummary].map((c) => [
    c.name,
    fixed(c.perSecond),
    ratio(c.perSecond, rawSummary.perSecond),
    c.roundsPerSecond.map((r) => fixed(r)).join(' '),
    fixed(c.p50Ms, 2),
    fixed(c.p99Ms, 2),
    cpuSummary(c.usage),
  ]);
  const text = [
    `${rawSeconds} s each in ${rawRounds} alternating rounds, concurrency ${concurrency}, ~1 KB signed JSON body, receiver in its own process`,
    '',
    table(
      ['client', 'req/s', 'vs raw', 'req/s per round', 'p50 ms (median round)', 'p99 ms (worst round)', 'CPU % of a core (last round)'],
      rows,
    ),
    '',
    `Raw client CPU per request: ${fixed(rawCpuMsPerRequest * 1000)} µs (the denominator of cpuPerDeliveryVsRaw)`,
  ].join('\n');
  return {
    text,
    data: {
      seconds: rawSeconds,
      rounds: rawRounds,
      concurrency,
      rawCpuMsPerRequest,
      raw: { ...rawSummary, rounds: raw.rounds, usages: raw.usages },
      sender: { ...senderSummary, rounds: sender.rounds, usages: sender.usages },
    },
  };
}
