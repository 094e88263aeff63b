import { baseEnvSchema, durationPattern, parseDuration } from '@hookline/core';
import { tracingEnvShape } from '@hookline/tracing';
import { z } from 'zod';
import { ingestLimitsEnvShape } from './limits.js';

export const ingestEnvSchema = baseEnvSchema.extend({
  INGEST_PORT: z.coerce.number().int().min(0).max(65535).default(8100),
  INGEST_HOST: z.string().default('127.0.0.1'),
  /** Largest accepted request body; bigger ones get 413 `payload_too_large`. */
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Where Idempotency-Keys are kept (the same server and database as config-api's read models). */
  MONGO_URL: z.string().default('mongodb://127.0.0.1:37017/'),
  MONGO_DB: z.string().default('hookline'),
  /** How long an Idempotency-Key is remembered (the projector's sweeper deletes it then; set both alike). */
  HOOKLINE_RETENTION_IDEMPOTENCY_KEYS: z.string().regex(durationPattern).default('24h').transform(parseDuration),
  /** How long a request waits for a concurrent one with the same Idempotency-Key before answering 409. */
  INGEST_IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  /**
   * Once a publish has waited this long for the broker, new posts get 503 `unavailable` instead of waiting too.
   * Well above a slow publish under overload (up to ~11 s on a saturated 2-core test machine), so only an outage sheds load.
   */
  INGEST_PUBLISH_STALL_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * Ingest plans the deliveries of an event to at most this many endpoints and writes them with it, one broker hop
   * sooner than fanout would (docs/decisions.md). Bigger fan-outs go to fanout, which writes them in chunks; 0
   * leaves every event to fanout (for a principal that may not write `deliveries`, docs/security.md).
   */
  INGEST_PLAN_MAX_TASKS: z.coerce.number().int().min(0).max(1000).default(64),
  /** Most bytes of tasks ingest plans per request (each task carries its event); the events past it go to fanout. */
  INGEST_PLAN_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1024 * 1024),
  /** Rate limits per tenant and per incoming webhook (docs/limits.md). */
  ...ingestLimitsEnvShape,
  /** OpenTelemetry export of spans (docs/operations.md, Traces). */
  ...tracingEnvShape,
});
export type IngestEnv = z.infer<typeof ingestEnvSchema>;
