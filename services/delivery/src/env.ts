import { baseEnvSchema } from '@hookline/core';
import { z } from 'zod';

export const deliveryEnvSchema = baseEnvSchema.extend({
  DELIVERY_GROUP_ID: z.string().default('hookline-delivery'),
  DELIVERY_PORT: z.coerce.number().int().min(0).max(65535).default(8400),
  /** Per-request timeout; a receiver that has not answered by then counts as a failed attempt. */
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Bytes of a response body kept in the attempt log. */
  DELIVERY_RESPONSE_EXCERPT_BYTES: z.coerce.number().int().min(0).default(4096),
});
export type DeliveryEnv = z.infer<typeof deliveryEnvSchema>;
