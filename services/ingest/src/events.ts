import { createHash } from 'node:crypto';
import { type EventEnvelope, newId, producibleEventType } from '@hookline/core';
import { z } from 'zod';

/** What a producer may POST to `/v1/events`. */
export const eventInput = z.object({
  type: producibleEventType,
  data: z.unknown().refine((d) => d !== undefined, 'is required'),
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[a-zA-Z0-9_.:-]+$/)
    .optional(),
  timestamp: z.string().datetime({ offset: true }).optional(),
  channels: z.array(z.string().min(1).max(128)).max(32).optional(),
});
export type EventInput = z.infer<typeof eventInput>;

export const maxBatchEvents = 500;

/** What a producer may POST to `/v1/events/batch`: problems are reported per item as `events.<i>.<field>`. */
export const eventBatchInput = z.object({
  events: z.array(eventInput).min(1).max(maxBatchEvents),
});

export function toEnvelope(input: EventInput, tenantId: string, now = new Date()): EventEnvelope {
  return {
    id: input.id ?? newId('evt', now.getTime()),
    type: input.type,
    tenantId,
    timestamp: input.timestamp ?? now.toISOString(),
    data: input.data,
    ...(input.channels ? { channels: input.channels } : {}),
  };
}

/** `Idempotency-Key`: 1-255 printable ASCII characters. */
export const idempotencyKey = z.string().regex(/^[\x20-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters');

/** Fingerprint of a request body, to tell a retry (same body) from a reused key (different body). */
export function bodyHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body) ?? '')
    .digest('hex');
}
