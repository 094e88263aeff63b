import { baseEnvSchema } from '@hookline/core';
import { tracingEnvShape } from '@hookline/tracing';
import { z } from 'zod';

export const fanoutEnvSchema = baseEnvSchema.extend({
  FANOUT_GROUP_ID: z.string().default('hookline-fanout'),
  FANOUT_PORT: z.coerce.number().int().min(0).max(65535).default(8300),
  /** Confluent-compatible registry for Kafka-native producers' framed (Avro etc.) events; optional. */
  SCHEMA_REGISTRY_URL: z.string().url().optional(),
  /** Tenants whose Kafka-native producers write to their own input topic `<prefix>native.<tenantId>` (comma-separated). */
  FANOUT_TENANT_TOPICS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-zA-Z0-9_-]{1,200}$/, 'must be a tenant id'))),
  /** A framed record whose schema id the registry does not know is retried this long, then sent to `rejected`. */
  FANOUT_UNKNOWN_SCHEMA_GIVE_UP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(15 * 60_000),
  /** Tasks are written while planned, in chunks of about this many bytes; at most two chunks are held at once. */
  FANOUT_CHUNK_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(8 * 1024 * 1024),
  /** OpenTelemetry export of spans (docs/operations.md, Traces). */
  ...tracingEnvShape,
});
