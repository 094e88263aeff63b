import { ApiError, newId, requireConfigureRole, type DeliveryTask, type TopicNames } from '@hookline/core';
import { planTask } from '@hookline/delivery-policy';
import { taskMessage, type ConfigView, type Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import type { DeadLetterDoc, ReplayJobDoc, Store } from '@hookline/store';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ownEndpoint } from './access.js';

export const replayInput = z.object({ from: z.string().datetime({ offset: true }).optional(), to: z.string().datetime({ offset: true }).optional() });
export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), state: z.enum(['dead', 'replayed']).optional() });
const batchSize = 200;

/** The dead-lettered task sent again as its next attempt, due now. */
function again(letter: DeadLetterDoc): DeliveryTask {
  return planTask({ kind: 'again', task: letter.task, now: Date.now() });
}

/**
 * Dead letters of an endpoint: list them, retry one now, or replay all (optionally of a time range) as a job
 * whose progress can be polled. A replay job lives in this process; if it dies mid-way, the letters not yet
 * replayed are still `dead` and a new replay picks them up.
 */
export function replayRoutes(config: ConfigView, producer: Producer, store: Store, topics: TopicNames, logger: Logger): Router {
  const router = Router();

  const resend = (letters: DeadLetterDoc[]) =>
    producer.send({ topic: topics.deliveries, acks: -1, messages: letters.map((l) => taskMessage(again(l))) });

  router.get('/webhooks/:id/dead-letters', async (req, res) => {
    const { endpoint } = await ownEndpoint(config, req);
    const { limit, state } = validate(listQuery, req.query, 'query');
    const filter = state ? { state } : {};
    const [letters, total] = await Promise.all([store.deadLetters.find(endpoint.id, filter, limit).toArray(), store.deadLetters.count(endpoint.id, filter)]);
    res.json({ total, data: letters.map(({ _id, task, ...rest }) => ({ deliveryId: _id, eventId: task.eventId, eventType: task.event.type, attempts: task.attempt, ...rest })) });
  });

  router.post('/webhooks/:id/deliveries/:deliveryId/retry', async (req, res) => {
    const { key, endpoint } = await ownEndpoint(config, req);
    requireConfigureRole(key);
    const letter = await store.deadLetters.getDead(endpoint.id, String(req.params.deliveryId));
    if (!letter) throw new ApiError('not_found', 'no dead letter for this delivery (only failed or parked deliveries can be retried)');
    if (!endpoint.isActive) throw new ApiError('conflict', 'the webhook is disabled; re-enable it first (or use send-test)');
    await resend([letter]);
    await store.deadLetters.markReplayed([letter._id]);
    res.status(202).json({ deliveryId: letter._id, attempt: letter.task.attempt + 1 });
  });

  router.post('/webhooks/:id/replay', async (req, res) => {
    const { key, endpoint } = await ownEndpoint(config, req);
    requireConfigureRole(key);
    if (!endpoint.isActive) throw new ApiError('conflict', 'the webhook is disabled; re-enable it first');
    const range = validate(replayInput, req.body ?? {});
    const filter = { state: 'dead' as const, ...range };
    const total = await store.deadLetters.count(endpoint.id, filter);
    const now = new Date().toISOString();
    const job: ReplayJobDoc = { _id: newId('rpl'), tenantId: endpoint.tenantId, endpointId: endpoint.id, state: 'running', total, done: 0, createdAt: now, updatedAt: now };
    await store.deadLetters.jobs.insertOne(job);
    void (async () => {
      let done = 0;
      try {
        for (;;) {
          const letters = await store.deadLetters.find(endpoint.id, filter, batchSize).toArray();
          if (letters.length === 0) break;
          await resend(letters);
          await store.deadLetters.markReplayed(letters.map((l) => l._id));
          done += letters.length;
          await store.deadLetters.jobs.updateOne({ _id: job._id }, { $set: { done, updatedAt: new Date().toISOString() } });
        }
        await store.deadLetters.jobs.updateOne({ _id: job._id }, { $set: { state: 'done', done, updatedAt: new Date().toISOString() } });
      } catch (error) {
        logger.error({ err: error, jobId: job._id }, 'replay failed');
        await store.deadLetters.jobs.updateOne({ _id: job._id }, { $set: { state: 'failed', error: (error as Error).message, updatedAt: new Date().toISOString() } });
      }
    })();
    res.status(202).json({ jobId: job._id, total });
  });

  router.get('/replays/:jobId', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    const job = await store.deadLetters.jobs.findOne({ _id: String(req.params.jobId), tenantId: key.tenantId });
    if (!job) throw new ApiError('not_found', 'no such replay job');
    const { _id, ...rest } = job;
    res.json({ jobId: _id, ...rest });
  });

  return router;
}
