/** What one `pnpm bench` run does, from BENCH_* environment variables (parsed once, here). */
import { parseEnv } from '@hookline/core';
import { z } from 'zod';

export const scenarioNames = ['raw', 'idle', 'throughput', 'latency', 'isolation', 'fanout', 'scale', 'soak'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface Profile {
  name: 'quick' | 'full';
  /** Raw limit and Sender: seconds per client in all (the throughput cases' duration), in alternating rounds. */
  rawSeconds: number;
  rawRounds: number;
  /** Throughput: warm-up, then the measured window, per case. */
  warmupSeconds: number;
  throughputSeconds: number;
  /** Endpoint counts of the throughput cases. */
  endpointCounts: number[];
  /** Latency and isolation: seconds per paced phase. */
  pacedSeconds: number;
  latencyFractions: number[];
  /** Fan-out: endpoints one event goes to. */
  fanoutEndpoints: number;
  soakSeconds: number;
  /** Fraction of the maximum rate the soak runs at. */
  soakFraction: number;
  /** Idle: seconds after the last delivery before measuring, and the measured window. */
  idleSettleSeconds: number;
  idleSeconds: number;
}

const profiles: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick',
    rawSeconds: 6,
    rawRounds: 2,
    warmupSeconds: 3,
    throughputSeconds: 6,
    endpointCounts: [1, 10, 1000],
    pacedSeconds: 6,
    latencyFractions: [0.2, 0.5, 0.8],
    fanoutEndpoints: 1000,
    soakSeconds: 20,
    soakFraction: 0.5,
    idleSettleSeconds: 5,
    idleSeconds: 20,
  },
  full: {
    name: 'full',
    rawSeconds: 60,
    rawRounds: 4,
    warmupSeconds: 10,
    throughputSeconds: 60,
    endpointCounts: [1, 10, 1000],
    pacedSeconds: 30,
    latencyFractions: [0.2, 0.5, 0.8],
    fanoutEndpoints: 10_000,
    soakSeconds: 600,
    soakFraction: 0.5,
    idleSettleSeconds: 15,
    idleSeconds: 60,
  },
};

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(scenarioNames)));

const benchEnvSchema = z.object({
  BENCH_PROFILE: z.enum(['quick', 'full']).default('full'),
  /** Comma-separated scenario names; all of them by default. */
  BENCH_ONLY: list.optional(),
  /** Overrides for single figures of the profile (e.g. a shorter soak while developing). */
  BENCH_THROUGHPUT_SECONDS: z.coerce.number().positive().optional(),
  BENCH_SOAK_SECONDS: z.coerce.number().positive().optional(),
  BENCH_PACED_SECONDS: z.coerce.number().positive().optional(),
  BENCH_IDLE_SECONDS: z.coerce.number().positive().optional(),
  BENCH_FANOUT_ENDPOINTS: z.coerce.number().int().positive().optional(),
  /** Endpoint counts of the throughput cases, e.g. `1,10`. */
  BENCH_ENDPOINT_COUNTS: z
    .string()
    .transform((s) => s.split(',').map(Number))
    .pipe(z.array(z.number().int().positive()).min(1))
    .optional(),
  /** Concurrent requests of the raw-limit client and the Sender (the HTTP client bench). */
  BENCH_CONCURRENCY: z.coerce.number().int().positive().default(50),
  /** Maximum deliveries/s to pace latency, isolation and soak at, when the throughput scenario is not run. */
  BENCH_MAX_RATE: z.coerce.number().positive().optional(),
  /** `1` keeps the run's read models (its MongoDB database) instead of dropping them at the end. */
  BENCH_KEEP_DATA: z.enum(['0', '1']).default('0'),
  /**
   * `1` runs the services from their TypeScript source (tsx) instead of their build (`node dist/main.js`, what
   * production runs and what the figures are of; `pnpm build` first).
   */
  BENCH_FROM_SOURCE: z.enum(['0', '1']).default('0'),
});

export interface BenchConfig {
  profile: Profile;
  scenarios: ScenarioName[];
  concurrency: number;
  maxRateOverride: number | undefined;
  keepData: boolean;
  fromSource: boolean;
}

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const e = parseEnv(benchEnvSchema, env);
  const base = profiles[e.BENCH_PROFILE];
  const profile: Profile = {
    ...base,
    throughputSeconds: e.BENCH_THROUGHPUT_SECONDS ?? base.throughputSeconds,
    soakSeconds: e.BENCH_SOAK_SECONDS ?? base.soakSeconds,
    pacedSeconds: e.BENCH_PACED_SECONDS ?? base.pacedSeconds,
    idleSeconds: e.BENCH_IDLE_SECONDS ?? base.idleSeconds,
    fanoutEndpoints: e.BENCH_FANOUT_ENDPOINTS ?? base.fanoutEndpoints,
    endpointCounts: e.BENCH_ENDPOINT_COUNTS ?? base.endpointCounts,
  };
  return {
    profile,
    scenarios: e.BENCH_ONLY ?? [...scenarioNames],
    concurrency: e.BENCH_CONCURRENCY,
    maxRateOverride: e.BENCH_MAX_RATE,
    keepData: e.BENCH_KEEP_DATA === '1',
    fromSource: e.BENCH_FROM_SOURCE === '1',
  };
}
