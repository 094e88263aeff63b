import { eventTypeName, newId, type EventEnvelope } from '@hookline/core';
import { z } from 'zod';

/** What a producer may POST to `/v1/events`. */
export const eventInput = z.object({
  type: eventTypeName,
  data: z.unknown().refine((d) => d !== undefined, 'is required'),
  id: z.string().min(1).max(128).regex(/^[a-zA-Z0-9_.:-]+$/).optional(),
  timestamp: z.string().datetime({ offset: true }).optional(),
  channels: z.array(z.string().min(1).max(128)).max(32).optional(),
});
export type EventInput = z.infer<typeof eventInput>;

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
