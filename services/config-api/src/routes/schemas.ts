import { apiKeyRecord, attemptRecord, deadLetterRecord, endpointRecord, eventTypeRecord, incomingHookRecord } from '@hookline/core';
import { z } from 'zod';

/** Response shapes shared by several routes (each route's own ones sit beside it). */
export const webhook = endpointRecord.omit({ kind: true, secrets: true }).meta({ id: 'Webhook' });
export const apiKey = apiKeyRecord.omit({ kind: true, keyHash: true }).meta({ id: 'ApiKey' });
export const incomingHook = incomingHookRecord.omit({ kind: true, tokenHash: true }).meta({ id: 'IncomingWebhook' });
export const eventType = eventTypeRecord.omit({ kind: true, id: true }).meta({ id: 'EventType' });
export const attempt = attemptRecord.meta({ id: 'Attempt' });
export const deadLetter = deadLetterRecord
  .omit({ task: true })
  .extend({
    deliveryId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    attempts: z.number().int(),
    endpointId: z.string(),
    tenantId: z.string(),
    state: z.enum(['dead', 'replayed']),
  })
  .meta({ id: 'DeadLetter' });

export const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
export const jobAccepted = z.object({ jobId: z.string(), total: z.number().int() });
export const idParams = z.object({ id: z.string() });
export const deliveryParams = z.object({ id: z.string(), deliveryId: z.string() });
export const deleted = { 204: { description: 'Deleted' } } as const;
