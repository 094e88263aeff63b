import { z } from 'zod';
import { kafkaSecurityEnvShape } from './kafka-env.js';

/** Parses configuration from environment variables once, failing with every problem listed. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration from environment:\n${problems}`);
  }
  return result.data;
}

/** Environment shared by every service: where the infrastructure is and how topics are named. */
export const baseEnvSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
  HOOKLINE_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default('hookline.'),
  HOOKLINE_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(4),
  /** Topic durability (packages/kafka topic-specs.ts, docs/operations.md): unset replication is min(3, brokers). */
  HOOKLINE_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).optional(),
  HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).optional(),
  /** `kind=duration` pairs, e.g. `events=3d,dead-letter=90d`; kinds not named keep their default. */
  HOOKLINE_TOPIC_RETENTION: z.string().default(''),
  HOOKLINE_TOPIC_RETENTION_BYTES: z.coerce.number().int().min(-1).default(-1),
  /** Retry delays that exist as topics (`retry.<tier>`); endpoint schedules may use only these. */
  HOOKLINE_RETRY_TIERS: z
    .string()
    .default('0s,5s,30s,1m,5m,30m,1h,2h,5h,10h')
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^(\d+)(ms|s|m|h|d)$/)).min(1)),
  /** Production refuses plain-http endpoints (at configuration and at delivery). */
  HOOKLINE_MODE: z.enum(['development', 'production']).default('development'),
  /** Consumer lag (records per topic) above which a service's `/health` says `degraded`. */
  HOOKLINE_HEALTH_MAX_CONSUMER_LAG: z.coerce.number().int().min(0).default(10_000),
  /**
   * How long records may wait on a topic while a data-path consumer group (fanout, delivery, projector) commits
   * nothing before its `/health` says `down` (a stuck consumer; a restart replays from the last commit).
   */
  HOOKLINE_HEALTH_STALLED_AFTER_MS: z.coerce.number().int().min(1_000).default(180_000),
  /** How often consumer lag is measured for `/metrics` and `/health`. */
  HOOKLINE_LAG_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** TLS and SASL towards the brokers (`HOOKLINE_KAFKA_SSL*`, `HOOKLINE_KAFKA_SASL_*`). */
  ...kafkaSecurityEnvShape,
});
export type BaseEnv = z.infer<typeof baseEnvSchema>;

export function brokerList(brokers: string): string[] {
  return brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
