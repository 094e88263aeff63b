import { ApiError, attemptIdFor, eventTypeName, newId } from '@hookline/core';
import { planTask, taskRecord, testEvent } from '@hookline/delivery-policy';
import type { AttemptDoc } from '@hookline/store';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { attempt, deliveryParams, idParams, list } from './schemas.js';

const testInput = z.object({ eventType: eventTypeName.optional(), data: z.unknown().optional() });
const deliveryListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

const deliverySummary = z
  .object({
    id: z.string(),
    eventId: z.string(),
    event: z.string(),
    timestamp: z.string(),
    status: z.enum(['success', 'failed', 'retrying']),
    response_code: z.number().int().nullable(),
    response_time_ms: z.number(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'DeliverySummary' });

/** One delivery as the log shows it: its latest attempt and how many there were (task-app seed's fields). */
function summarize(attempts: AttemptDoc[]): z.input<typeof deliverySummary> {
  const last = attempts.reduce((a, b) => (b.attempt > a.attempt ? b : a));
  const status = last.outcome === 'success' ? 'success' : last.final ? 'failed' : 'retrying';
  return {
    id: last.deliveryId,
    eventId: last.eventId,
    event: last.eventType,
    timestamp: attempts.reduce((a, b) => (b.startedAt < a.startedAt ? b : a)).startedAt,
    status,
    response_code: last.statusCode ?? null,
    response_time_ms: last.durationMs,
    attempts: attempts.length,
    lastError: last.outcome === 'success' ? null : (last.errorMessage ?? null),
  };
}

function attemptView({ _id: _ignored, ...attempt }: AttemptDoc) {
  return attempt;
}

/** Send-test and the delivery log of one endpoint. */
export function deliveryRoutes({ publisher, store, topics, testTimeoutMs }: AdminDeps) {
  return [
    route({
      method: 'post',
      path: '/webhooks/:id/test',
      tags: ['deliveries'],
      summary: 'Send a test event through the delivery path and answer with the outcome',
      auth: 'apiKey',
      owns: 'endpoint',
      role: 'configure',
      params: idParams,
      body: testInput,
      bodyOptional: true,
      responses: {
        200: {
          description: 'The attempt',
          schema: z.object({
            deliveryId: z.string(),
            outcome: z.enum(['success', 'failure']),
            statusCode: z.number().int().nullable(),
            durationMs: z.number(),
            error: z.string().nullable(),
            responseExcerpt: z.string().nullable(),
          }),
        },
      },
      errors: ['unavailable'],
      async handler({ owned: endpoint, body: input }) {
        const now = Date.now();
        const event = testEvent({
          id: newId('evt'),
          tenantId: endpoint.tenantId,
          subscribedPatterns: endpoint.events,
          eventType: input.eventType,
          data: input.data,
          now,
        });
        const task = planTask({ kind: 'test', event, endpoint, now });
        await publisher.publish([{ topic: topics.deliveries, records: [taskRecord(task)] }]);
        const result = await store.waitForAttempt(attemptIdFor(task.deliveryId, 1), testTimeoutMs);
        if (!result)
          throw new ApiError('unavailable', 'the test delivery was sent but its outcome did not arrive in time; see the delivery log', {
            deliveryId: task.deliveryId,
          });
        return {
          status: 200,
          body: {
            deliveryId: task.deliveryId,
            outcome: result.outcome,
            statusCode: result.statusCode ?? null,
            durationMs: result.durationMs,
            error: result.errorMessage ?? null,
            responseExcerpt: result.responseExcerpt ?? null,
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/webhooks/:id/deliveries',
      tags: ['deliveries'],
      summary: 'Recent deliveries, newest first',
      auth: 'apiKey',
      owns: 'endpoint',
      params: idParams,
      query: deliveryListQuery,
      responses: { 200: { description: 'Deliveries', schema: list(deliverySummary) } },
      async handler({ owned: endpoint, query: { limit } }) {
        // Newest attempts first, grouped by delivery in that order; a few attempts per delivery is the norm.
        const recent = await store.recentAttempts(endpoint.id, limit * 8);
        const byDelivery = new Map<string, AttemptDoc[]>();
        for (const one of recent) {
          const group = byDelivery.get(one.deliveryId);
          if (group) group.push(one);
          else if (byDelivery.size < limit) byDelivery.set(one.deliveryId, [one]);
        }
        return { status: 200, body: { data: [...byDelivery.values()].map(summarize) } };
      },
    }),
    route({
      method: 'get',
      path: '/webhooks/:id/deliveries/:deliveryId',
      tags: ['deliveries'],
      summary: 'One delivery with all its attempts',
      auth: 'apiKey',
      owns: 'endpoint',
      params: deliveryParams,
      responses: {
        200: {
          description: 'The delivery: its attempts, and the exact request sent (kept once, with the first attempt)',
          schema: deliverySummary.extend({ attemptsLog: z.array(attempt), request: attempt.shape.request.unwrap().nullable() }),
        },
      },
      async handler({ owned: endpoint, params }) {
        const attempts = await store.deliveryAttempts(endpoint.id, params.deliveryId);
        if (attempts.length === 0) throw new ApiError('not_found', 'no such delivery');
        const request = attempts.find((a) => a.request)?.request ?? null;
        return { status: 200, body: { ...summarize(attempts), attemptsLog: attempts.map(attemptView), request } };
      },
    }),
  ];
}
