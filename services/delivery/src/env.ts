import { baseEnvSchema } from '@hookline/core';
import { secretsKeyEnvShape } from '@hookline/secrets';
import { tracingEnvShape } from '@hookline/tracing';
import { z } from 'zod';

export const deliveryEnvSchema = baseEnvSchema.extend({
  DELIVERY_GROUP_ID: z.string().default('hookline-delivery'),
  DELIVERY_PORT: z.coerce.number().int().min(0).max(65535).default(8400),
  /** Per-request timeout unless the endpoint sets one; no answer by then is a failed attempt. */
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Bytes of a response body kept in the attempt log (and read at all). */
  DELIVERY_RESPONSE_EXCERPT_BYTES: z.coerce.number().int().min(0).default(4096),
  /** Bytes of the body kept with a delivery's first attempt, the exact request on record (0: headers only). */
  DELIVERY_REQUEST_BODY_RECORD_BYTES: z.coerce.number().int().min(0).default(16_384),
  DELIVERY_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).default(10),
  DELIVERY_ENDPOINT_BACKLOG: z.coerce.number().int().min(1).default(200),
  DELIVERY_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(10_000),
  /** CIDRs the SSRF guard lets through anyway, e.g. `127.0.0.0/8` in development and tests. */
  DELIVERY_ALLOW_PRIVATE_CIDRS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ...secretsKeyEnvShape,
  /** OpenTelemetry export of spans (docs/operations.md, Traces). */
  ...tracingEnvShape,
});
export type DeliveryEnv = z.infer<typeof deliveryEnvSchema>;
