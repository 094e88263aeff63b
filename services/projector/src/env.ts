import { baseEnvSchema } from '@hookline/core';
import { z } from 'zod';

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
});
