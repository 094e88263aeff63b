import { apiKeyRecord, attemptRecord, deadLetterRecord, endpointRecord, eventTypeRecord, incomingHookRecord } from '@hookline/core';
import { deliverySettingsShape } from '@hookline/delivery-policy';
import { z } from 'zod';

/** Response shapes shared by several routes (each route's own ones sit beside it). */

/**
 * The stored record keeps profile, payload format and signature as plain names, so records written before a
 * registry changed still parse. What the API hands out passed the registries' check when it was written, so
 * the response pipes each stored value into the request's schema: handlers return records as stored (the
 * input side), and the document and the generated clients show the registries' enums (the output side).
 */
function storedAsAccepted<S extends z.ZodType, A extends z.ZodType>(stored: S, accepted: A) {
  // The signature schema declares `unknown` as its input; a stored setting is one of its inputs.
  return stored.pipe(accepted as unknown as z.ZodType<z.output<A>, z.output<S>>);
}
const accepted = deliverySettingsShape();
const stored = endpointRecord.shape;
export const webhook = endpointRecord
  .omit({ kind: true, secrets: true })
  .extend({
    profile: storedAsAccepted(stored.profile, accepted.profile),
    payloadFormat: storedAsAccepted(stored.payloadFormat, accepted.payloadFormat),
    signature: storedAsAccepted(stored.signature, accepted.signature),
    /** Values are write-only: every read shows `********` (docs/secrets.md). */
    headers: z.record(z.string(), z.string()).optional(),
    /** Ed25519 public keys (`whpk_...`) of the live secrets: what receivers of the `ed25519` scheme verify with. */
    publicKeys: z.array(z.string()).optional(),
  })
  .meta({ id: 'Webhook' });
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
