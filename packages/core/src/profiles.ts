import { z } from 'zod';
import { durationPattern } from './durations.js';
import { payloadFilter } from './filters.js';
import { storedSignatureSetting } from './signature-scheme.js';

/**
 * Per-endpoint delivery settings as stored: a profile and optional overrides of its parts. Profiles, payload
 * formats and signature schemes are registries in `@hookline/delivery-policy` and `@hookline/signing`; here
 * they are names, checked against the registries at the admin API's edge (`deliverySettingsShape` of
 * delivery-policy) and when delivery resolves an endpoint's policy.
 */
export function storedDeliverySettingsShape() {
  return {
    profile: z.string().min(1).optional(),
    signature: storedSignatureSetting.optional(),
    /** Shortcut for the hex scheme's header (thig.ai API: `signatureHeaderName`). */
    signatureHeaderName: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .max(64)
      .optional(),
    payloadFormat: z.string().min(1).optional(),
    retrySchedule: z.array(z.string().regex(durationPattern, 'must be a duration like 5s, 1m, 2h')).max(20).optional(),
    disableAfterConsecutiveFailures: z.number().int().min(1).max(10_000).nullable().optional(),
    timeoutMs: z.number().int().min(100).max(60_000).optional(),
    maxConcurrency: z.number().int().min(1).max(1_000).optional(),
    rateLimitPerSecond: z.number().min(0.01).max(100_000).optional(),
    /**
     * `strict`: each delivery to the endpoint waits until the one before it succeeded or was dead-lettered; a
     * failing head is retried in place with the endpoint's backoff. With `orderingKey` (a dot path into the event,
     * such as `data.orderId`) only deliveries with the same key wait for each other.
     */
    ordering: z.enum(['none', 'strict']).optional(),
    orderingKey: z
      .string()
      .max(256)
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dot path into the event like "data.orderId"')
      .optional(),
    /**
     * Circuit breaker: when this share of the endpoint's recent attempts failed, stop sending and defer its tasks
     * for a cool-down, then let one probe through. Off unless set; unset fields take the defaults (`{}` is on with
     * all defaults); `null` turns it off again.
     */
    circuitBreaker: z
      .strictObject({
        failureRatePercent: z.number().int().min(1).max(100).optional(),
        minAttempts: z.number().int().min(1).max(10_000).optional(),
        windowSeconds: z.number().int().min(1).max(3600).optional(),
        cooldownSeconds: z.number().int().min(1).max(3600).optional(),
        maxCooldownSeconds: z.number().int().min(1).max(86_400).optional(),
      })
      .nullable()
      .optional(),
    /**
     * Payload filter (`filters.ts`): MongoDB-style conditions on dot paths into the event's `data`; every one must
     * hold for the event to be delivered. The operator-free shape stored before (`{path: value | [values]}`) reads
     * the same.
     */
    filter: payloadFilter.optional(),
  };
}
