import { baseEnvSchema } from '@hookline/core';
import { z } from 'zod';

export const fanoutEnvSchema = baseEnvSchema.extend({
  FANOUT_GROUP_ID: z.string().default('hookline-fanout'),
  FANOUT_PORT: z.coerce.number().int().min(0).max(65535).default(8300),
  /** Confluent-compatible registry for Kafka-native producers' framed (Avro etc.) events; optional. */
  SCHEMA_REGISTRY_URL: z.string().url().optional(),
});
