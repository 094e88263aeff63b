import { baseEnvSchema, durationPattern, parseDuration } from '@hookline/core';
import { tracingEnvShape } from '@hookline/tracing';
import { z } from 'zod';

/** A retention such as `7d`, `24h`, `90s` (as milliseconds once parsed). */
const retention = (fallback: string) =>
  z.string().regex(durationPattern, 'a duration such as 7d, 24h, 30m or 90s').default(fallback).transform(parseDuration);

export const projectorEnvSchema = baseEnvSchema.extend({
  PROJECTOR_GROUP_ID: z.string().default('hookline-projector'),
  PROJECTOR_PORT: z.coerce.number().int().min(0).max(65535).default(8500),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:37017/'),
  MONGO_DB: z.string().default('hookline'),
  /** Attempts an endpoint needs in its recent window before its success rate can raise an alert. */
  PROJECTOR_ALERT_MIN_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  /** How many of an endpoint's latest attempts the response-time and success-rate rules look at. */
  PROJECTOR_ALERT_RECENT_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** How often firing alerts are re-evaluated without new attempts (changed thresholds, the 24 h window). */
  PROJECTOR_ALERT_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** How long the attempt log (delivery details, the tenant feed) keeps an attempt, from when it started. */
  HOOKLINE_RETENTION_ATTEMPTS: retention('7d'),
  /** How long a dead letter that was sent again (retry or replay) is kept; dead ones are kept until replayed. */
  HOOKLINE_RETENTION_REPLAYED_DEAD_LETTERS: retention('7d'),
  /** How long an incoming webhook's call log keeps a call (besides its cap of the latest calls per hook). */
  HOOKLINE_RETENTION_INCOMING_CALLS: retention('7d'),
  /** How long an Idempotency-Key is remembered; ingest reads the same variable (set both alike). */
  HOOKLINE_RETENTION_IDEMPOTENCY_KEYS: retention('24h'),
  /** How often the retention sweeper runs, and how many documents one delete takes. */
  PROJECTOR_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  PROJECTOR_SWEEP_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  /** OpenTelemetry export of spans (docs/operations.md, Traces). */
  ...tracingEnvShape,
});
