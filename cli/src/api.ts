import { z } from 'zod';

/** The parts of the APIs' answers the CLI uses (extra fields pass through). */
export const endpoint = z.looseObject({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  isActive: z.boolean(),
  disabledReason: z.string().optional(),
});
export type Endpoint = z.infer<typeof endpoint>;

export const endpointList = z.object({ data: z.array(endpoint) });
export const createdEndpoint = endpoint.extend({ secret: z.string() });

export const endpointStats = z.looseObject({
  state: z.string(),
  successRate: z.number().nullable(),
  failuresLast24h: z.number(),
  totalDeliveries: z.number(),
  p95ResponseTimeMs: z.union([z.number(), z.string()]).nullable(),
  lastDelivery: z.object({ at: z.string(), status: z.string(), statusCode: z.number().nullable(), error: z.string().nullable() }).nullable(),
});
export type EndpointStats = z.infer<typeof endpointStats>;

export const testResult = z.object({
  deliveryId: z.string(),
  outcome: z.enum(['success', 'failure']),
  statusCode: z.number().nullable(),
  durationMs: z.number(),
  error: z.string().nullable(),
  responseExcerpt: z.string().nullable(),
});

export const attemptSummary = z.looseObject({
  id: z.string(),
  deliveryId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  endpointId: z.string(),
  endpointName: z.string().nullable(),
  attempt: z.number(),
  startedAt: z.string(),
  durationMs: z.number(),
  outcome: z.enum(['success', 'failure']),
  status: z.enum(['success', 'retrying', 'failed']),
  statusCode: z.number().nullable(),
  error: z.string().nullable(),
});
export type AttemptSummary = z.infer<typeof attemptSummary>;
export const feedPage = z.object({ data: z.array(attemptSummary), next: z.string() });

export const replayStarted = z.object({ jobId: z.string(), total: z.number() });
export const replayJob = z.looseObject({
  jobId: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  total: z.number(),
  done: z.number(),
  error: z.string().optional(),
});
export const retryQueued = z.object({ deliveryId: z.string(), attempt: z.number() });
export const eventAccepted = z.looseObject({ id: z.string() });
