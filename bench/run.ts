/**
 * `pnpm bench`: Hookline measured end to end on the real broker, with the raw limit (a bare keep-alive client to
 * the same receiver) measured in the same run as the denominator of every ratio. Prints Markdown tables and
 * writes everything as JSON under bench/results/. Not part of the test suite. BENCH_PROFILE=quick|full,
 * BENCH_ONLY=raw,idle,throughput,latency,isolation,fanout,scale,soak (see bench/profile.ts and docs/benchmarks.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuild } from './build-check.js';
import { benchConfig, type ScenarioName } from './profile.js';
import { BenchReceiver } from './receiver.js';
import { machine } from './report.js';
import type { BenchContext, ScenarioResult } from './scenarios/context.js';
import { fanoutScenario } from './scenarios/fanout.js';
import { idleScenario } from './scenarios/idle.js';
import { isolationScenario } from './scenarios/isolation.js';
import { latencyScenario } from './scenarios/latency.js';
import { rawScenario } from './scenarios/raw.js';
import { scaleScenario } from './scenarios/scale.js';
import { soakScenario } from './scenarios/soak.js';
import { throughputScenario } from './scenarios/throughput.js';
import { BenchStack } from './stack.js';

const scenarios: Record<ScenarioName, { title: string; run: (ctx: BenchContext) => Promise<ScenarioResult> }> = {
  raw: { title: 'Raw limit and the delivery Sender alone', run: rawScenario },
  idle: { title: 'Idle: a quiet stack', run: idleScenario },
  throughput: { title: 'Delivery throughput (maximum sustained)', run: throughputScenario },
  latency: { title: 'Latency, accepted -> delivered', run: latencyScenario },
  isolation: { title: 'Isolation: one hanging and one failing endpoint', run: isolationScenario },
  fanout: { title: 'Fan-out: one event to many endpoints', run: fanoutScenario },
  soak: { title: 'Soak', run: soakScenario },
  scale: { title: 'Scale out: a second instance of fanout and delivery, and its crash', run: scaleScenario },
};

/** Given to the services; printed and saved with the figures. BENCH_CPU_PROF=<dir>: each service writes a V8 CPU profile there on exit. */
const cpuProfileDir = process.env.BENCH_CPU_PROF;
/** The services' Node options: the profiler's preload, and BENCH_SERVICE_NODE_OPTIONS (e.g. a V8 heap flag to compare). */
const nodeOptions = [
  cpuProfileDir && `--require ${fileURLToPath(new URL('./cpu-profile.cjs', import.meta.url))}`,
  process.env.BENCH_SERVICE_NODE_OPTIONS,
]
  .filter(Boolean)
  .join(' ');
const serviceEnv: Record<string, string> = {
  LOG_LEVEL: 'warn',
  // The fan-out scenario creates 10,000 endpoints as fast as the admin API takes them; its per-key rate limit (500/s
  // by default) is not what the bench measures, and a fast machine outran it (round 11's full run stopped there).
  CONFIG_API_RATE_PER_SECOND: '1000000',
  ...(cpuProfileDir ? { BENCH_CPU_PROF: resolve(cpuProfileDir) } : {}),
  ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  // BENCH_SERVICE_ENV='{"INGEST_PLAN_MAX_TASKS":"0"}': settings to compare (an A/B of one change in the same window).
  ...(JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>),
};

const config = benchConfig();
if (!config.fromSource) ensureBuild();
const startedAt = new Date();
const receiver = await BenchReceiver.start();
let stack: BenchStack | undefined;
const ctx: BenchContext = {
  config,
  receiver,
  stack: async () => (stack ??= await BenchStack.start(receiver.baseUrl, serviceEnv, !config.fromSource)),
};
// Interrupted (Ctrl-C): stop the services and the receiver rather than leaving them running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the services`);
    void Promise.allSettled([stack?.stop(config.keepData)]).finally(() => {
      receiver.stop();
      process.exit(130);
    });
  });
}
const host = machine();
const header = [
  `# pnpm bench (${config.profile.name} profile), ${startedAt.toISOString()}`,
  `${host.cores} cores (${host.cpuModel}), ${host.memoryGiB} GiB, load average at start ${host.loadAverage.join(' ')}; Node ${host.node}, Linux ${host.kernel}, commit ${host.git}`,
  `Services: five processes ${config.fromSource ? 'from their source (tsx)' : 'from their build (node dist/main.js)'} on the shared Kafka/registry/FerretDB, env ${JSON.stringify(serviceEnv)} (defaults otherwise: 4 partitions,`,
  'endpoint concurrency 10, backlog 200, timeout 10 s); the receiver and the load generator are processes of their own.',
].join('\n');
console.log(`${header}\n`);

const results: Partial<Record<ScenarioName, ScenarioResult & { seconds: number }>> = {};
let failed: unknown;
try {
  for (const name of config.scenarios) {
    console.log(`## ${scenarios[name].title}`);
    const started = performance.now();
    const result = await scenarios[name].run(ctx);
    results[name] = { ...result, seconds: (performance.now() - started) / 1000 };
    console.log(`\n${result.text}\n`);
  }
} catch (error) {
  failed = error;
  console.error(error);
} finally {
  await stack?.stop(config.keepData);
  receiver.stop();
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/bench-${config.profile.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
const summary = Object.entries(results)
  .map(([name, r]) => `## ${scenarios[name as ScenarioName].title}\n\n${r.text}`)
  .join('\n\n');
writeFileSync(
  file,
  JSON.stringify(
    {
      startedAt,
      machine: host,
      profile: config.profile,
      scenarios: config.scenarios,
      serviceEnv,
      servicesFrom: config.fromSource ? 'source' : 'build',
      rawPerSecond: ctx.rawPerSecond,
      maxDeliveriesPerSecond: ctx.maxDeliveriesPerSecond,
      results: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { seconds: r.seconds, ...(r.data as object) }])),
      report: `${header}\n\n${summary}`,
      ...(failed ? { error: String(failed) } : {}),
    },
    null,
    2,
  ),
);
console.log(`written to ${file.pathname}`);
process.exit(failed ? 1 : 0);
