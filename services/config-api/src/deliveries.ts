import { ApiError, attemptIdFor, eventTypeName, newId, requireConfigureRole, type TopicNames } from '@hookline/core';
import { planTask, testEvent } from '@hookline/delivery-policy';
import { taskMessage, type ConfigView, type Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import type { AttemptDoc, Store } from '@hookline/store';
import { Router } from 'express';
import { z } from 'zod';
import { ownEndpoint } from './access.js';

export const testInput = z.object({ eventType: eventTypeName.optional(), data: z.unknown().optional() });
export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** One delivery as the log shows it: its latest attempt and how many there were (task-app seed's fields). */
function deliverySummary(attempts: AttemptDoc[]) {
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
export function deliveryRoutes(config: ConfigView, producer: Producer, store: Store, topics: TopicNames, testTimeoutMs: number): Router {
  const router = Router();

  /** Sends a sample event through the normal delivery path and answers with the attempt's outcome. */
  router.post('/webhooks/:id/test', async (req, res) => {
    const { key, endpoint } = await ownEndpoint(config, req);
    requireConfigureRole(key);
    const input = validate(testInput, req.body ?? {});
    const now = Date.now();
    const event = testEvent({ id: newId('evt'), tenantId: endpoint.tenantId, subscribedPatterns: endpoint.events, eventType: input.eventType, data: input.data, now });
    const task = planTask({ kind: 'test', event, endpoint, now });
    await producer.send({ topic: topics.deliveries, acks: -1, messages: [taskMessage(task)] });
    const attempt = await store.waitForAttempt(attemptIdFor(task.deliveryId, 1), testTimeoutMs);
    if (!attempt) throw new ApiError('unavailable', 'the test delivery was sent but its outcome did not arrive in time; see the delivery log', { deliveryId: task.deliveryId });
    res.json({
      deliveryId: task.deliveryId,
      outcome: attempt.outcome,
      statusCode: attempt.statusCode ?? null,
      durationMs: attempt.durationMs,
      error: attempt.errorMessage ?? null,
      responseExcerpt: attempt.responseExcerpt ?? null,
    });
  });

  router.get('/webhooks/:id/deliveries', async (req, res) => {
    const { endpoint } = await ownEndpoint(config, req);
    const { limit } = validate(listQuery, req.query, 'query');
    // Newest attempts first, grouped by delivery in that order; a few attempts per delivery is the norm.
    const recent = await store.recentAttempts(endpoint.id, limit * 8);
    const byDelivery = new Map<string, AttemptDoc[]>();
    for (const attempt of recent) {
      const list = byDelivery.get(attempt.deliveryId);
      if (list) list.push(attempt);
      else if (byDelivery.size < limit) byDelivery.set(attempt.deliveryId, [attempt]);
    }
    res.json({ data: [...byDelivery.values()].map(deliverySummary) });
  });

  router.get('/webhooks/:id/deliveries/:deliveryId', async (req, res) => {
    const { endpoint } = await ownEndpoint(config, req);
    const attempts = await store.deliveryAttempts(endpoint.id, String(req.params.deliveryId));
    if (attempts.length === 0) throw new ApiError('not_found', 'no such delivery');
    res.json({ ...deliverySummary(attempts), attemptsLog: attempts.map(attemptView) });
  });

  return router;
}
