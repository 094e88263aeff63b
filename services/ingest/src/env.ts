import { baseEnvSchema } from '@hookline/core';
import { z } from 'zod';

export const ingestEnvSchema = baseEnvSchema.extend({
  INGEST_PORT: z.coerce.number().int().min(0).max(65535).default(8100),
  INGEST_HOST: z.string().default('127.0.0.1'),
  /** Largest accepted request body; bigger ones get 413 `payload_too_large`. */
  INGEST_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
});
export type IngestEnv = z.infer<typeof ingestEnvSchema>;
