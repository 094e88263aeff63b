import { z } from 'zod';

/**
 * Delivery-side state of an endpoint, written by delivery to `attempts` (keyed by endpoint, next to its attempt
 * records) so the projector can keep it readable: circuit-breaker transitions and strict-ordering lanes that
 * block and clear. Each record carries `kind` and `v`; attempt records carry neither, which is how a reader of
 * `attempts` tells them apart (every attempt record written before these existed still reads as an attempt).
 */
export const circuitStates = ['closed', 'open', 'half-open'] as const;
export type CircuitStateName = (typeof circuitStates)[number];

export const circuitTransitionRecord = z.object({
  kind: z.literal('circuit-transition'),
  v: z.literal(1),
  endpointId: z.string(),
  from: z.enum(circuitStates),
  to: z.enum(circuitStates),
  /** ISO time of the change. */
  at: z.string(),
  reason: z.string(),
  /** Failed and total attempts in the window when it opened. */
  failed: z.number().int().optional(),
  attempts: z.number().int().optional(),
  /** ISO time an open circuit lets its next probe through. */
  until: z.string().optional(),
});
export type CircuitTransitionRecord = z.infer<typeof circuitTransitionRecord>;

/** One strictly ordered lane of an endpoint: `key` is the ordering key's value (JSON), null when the endpoint is one lane. */
const laneFields = {
  v: z.literal(1),
  endpointId: z.string(),
  key: z.string().nullable(),
};

/** The lane's head failed and is retried in place: the deliveries behind it wait. */
export const laneBlockedRecord = z.object({ kind: z.literal('lane-blocked'), ...laneFields, since: z.string() });
/** The lane moves again (its head succeeded, was dead-lettered or parked, or was handed to another instance). */
export const laneClearedRecord = z.object({ kind: z.literal('lane-cleared'), ...laneFields, at: z.string(), reason: z.string() });

export const endpointStatusRecord = z.discriminatedUnion('kind', [circuitTransitionRecord, laneBlockedRecord, laneClearedRecord]);
export type EndpointStatusRecord = z.infer<typeof endpointStatusRecord>;

/** True for a record of `attempts` that is an endpoint status record (of any version), not an attempt. */
export function isEndpointStatusValue(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'kind' in value;
}
