import { baseEnvSchema } from '@hookline/core';
import { secretsKeyEnvShape } from '@hookline/secrets';
import { z } from 'zod';
import { adminLimitsEnvShape } from './limits.js';

export const configApiEnvSchema = baseEnvSchema.extend({
  CONFIG_API_PORT: z.coerce.number().int().min(0).max(65535).default(8200),
  CONFIG_API_HOST: z.string().default('127.0.0.1'),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:37017/'),
  MONGO_DB: z.string().default('hookline'),
  /** How long send-test waits for its attempt (the delivery timeout plus projection). */
  CONFIG_API_TEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(20_000),
  /** Operator token that may create tenants; tenant creation is off when it is not set. */
  HOOKLINE_ROOT_TOKEN: z.string().min(16).optional(),
  /** Confluent-compatible schema registry for event types' schemas; without it, schemas are refused (503). */
  SCHEMA_REGISTRY_URL: z.string().url().optional(),
  /** The built admin page (web/dist of the repository by default). */
  CONFIG_API_WEB_DIR: z.string().optional(),
  /** Ingest's public origin (e.g. https://hooks.example.com), to show incoming webhooks' full URLs on the page. */
  HOOKLINE_INGEST_PUBLIC_URL: z.string().url().optional(),
  /** Scheduled exports (docs/scheduled-exports.md): off runs no scheduler in this process (trigger answers 503). */
  SCHEDULER_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** The `on_status_change` consumer group (default `<topic prefix>hookline-scheduler`). */
  SCHEDULER_GROUP_ID: z.string().optional(),
  SCHEDULER_TICK_MS: z.coerce.number().int().min(50).default(1000),
  /** How long a claimed due time is its scheduler's before another publishes it. */
  SCHEDULER_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  /** At most this many missed due times per schedule are fired late after downtime. */
  SCHEDULER_CATCH_UP_MAX: z.coerce.number().int().min(0).default(10),
  /** A due time fired more than this after it was due carries `late: true`. */
  SCHEDULER_LATE_AFTER_MS: z.coerce.number().int().min(0).default(60_000),
  /** Quotas and the admin API's rate limit (docs/limits.md). */
  ...adminLimitsEnvShape,
  /**
   * Origins (comma-separated) where Hookline's own ingest listens, besides HOOKLINE_INGEST_PUBLIC_URL: webhook URLs
   * there are refused (deliveries would come back as events). Default: ingest's default listen origin.
   */
  HOOKLINE_INGEST_ORIGINS: z
    .string()
    .default('http://127.0.0.1:8100')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url())),
  ...secretsKeyEnvShape,
});
export type ConfigApiEnv = z.infer<typeof configApiEnvSchema>;
