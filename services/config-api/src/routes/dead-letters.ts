import { ApiError } from '@hookline/core';
import { JobAlreadyActive, type JobDoc } from '@hookline/store';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { planRecover, resendLetters } from '../jobs/index.js';
import { deadLetter, deliveryParams, idParams, jobAccepted } from './schemas.js';

const replayInput = z.object({
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
});
const deadLetterListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  state: z.enum(['dead', 'replayed']).optional(),
});
/** Kafka finds offsets by times since the Unix epoch: an earlier time is refused here rather than by the broker. */
const afterEpoch = z
  .string()
  .datetime({ offset: true })
  .refine((t) => Date.parse(t) >= 0, 'must be 1970-01-01T00:00:00Z or later');
const recoverInput = z.object({
  since: afterEpoch,
  until: afterEpoch.optional(),
});

const replayJob = z
  .object({
    jobId: z.string(),
    tenantId: z.string(),
    endpointId: z.string(),
    state: z.enum(['running', 'done', 'failed']).describe('A job waiting for its turn is `running` too'),
    total: z.number().int(),
    done: z.number().int(),
    error: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ReplayJob' });

/** A job as `GET /replays/{jobId}` has always answered it (queued counts as running). */
function jobView(job: JobDoc): z.input<typeof replayJob> {
  return {
    jobId: job._id,
    tenantId: job.tenantId,
    endpointId: job.endpointId,
    state: job.state === 'queued' ? 'running' : job.state,
    total: job.total,
    done: job.done,
    ...(job.error === undefined ? {} : { error: job.error }),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

/**
 * Dead letters of an endpoint: list them, retry one now, replay all (optionally of a time range) or recover a
 * time range of events, the last two as jobs whose progress can be polled (the jobs module runs them).
 */
export function deadLetterRoutes(deps: AdminDeps) {
  const { store, jobs, log, topics } = deps;
  const resend = { letters: store.deadLetters, publisher: deps.publisher, deliveriesTopic: topics.deliveries };
  return [
    route({
      method: 'get',
      path: '/webhooks/:id/dead-letters',
      tags: ['dead letters'],
      summary: 'Dead-lettered deliveries of a webhook',
      auth: 'apiKey',
      owns: 'endpoint',
      params: idParams,
      query: deadLetterListQuery,
      responses: {
        200: {
          description: 'Dead letters',
          schema: z.object({
            total: z
              .number()
              .int()
              .describe(
                'How many match. Counted at most once at a time per webhook and filter, and reused for a few times as long as the count took: it can trail the latest dead letters by that long',
              ),
            data: z.array(deadLetter),
          }),
        },
      },
      async handler({ owned: endpoint, query: { limit, state } }) {
        const filter = state ? { state } : {};
        const [letters, total] = await Promise.all([
          store.deadLetters.find(endpoint.id, filter, limit).toArray(),
          store.deadLetters.count(endpoint.id, filter),
        ]);
        return {
          status: 200,
          body: {
            total,
            data: letters.map(({ _id, task, ...rest }) => ({
              deliveryId: _id,
              eventId: task.eventId,
              eventType: task.event.type,
              attempts: task.attempt,
              ...rest,
            })),
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/webhooks/:id/deliveries/:deliveryId/retry',
      tags: ['dead letters'],
      summary: 'Send a dead-lettered delivery again now',
      auth: 'apiKey',
      owns: 'endpoint',
      role: 'configure',
      params: deliveryParams,
      responses: {
        202: { description: 'Queued as its next attempt', schema: z.object({ deliveryId: z.string(), attempt: z.number().int() }) },
      },
      errors: ['conflict'],
      async handler({ owned: endpoint, params }) {
        const letter = await store.deadLetters.getDead(endpoint.id, params.deliveryId);
        if (!letter) throw new ApiError('not_found', 'no dead letter for this delivery (only failed or parked deliveries can be retried)');
        if (!endpoint.isActive) throw new ApiError('conflict', 'the webhook is disabled; re-enable it first (or use send-test)');
        // Marked before it is sent, so a fresh failure of this resend is never marked; unmarked if the send fails.
        await store.deadLetters.markReplayed([letter._id]);
        await resendLetters(resend, [letter]).catch(async (error: unknown) => {
          await store.deadLetters.unmarkReplayed([letter._id]);
          throw error;
        });
        return { status: 202, body: { deliveryId: letter._id, attempt: letter.task.attempt + 1 } };
      },
    }),
    route({
      method: 'post',
      path: '/webhooks/:id/replay',
      tags: ['dead letters'],
      summary: 'Replay all dead letters of a webhook (optionally of a time range) as a job',
      auth: 'apiKey',
      owns: 'endpoint',
      role: 'configure',
      params: idParams,
      body: replayInput,
      bodyOptional: true,
      responses: { 202: { description: 'The job', schema: jobAccepted } },
      errors: ['conflict'],
      async handler({ owned: endpoint, body: range }) {
        if (!endpoint.isActive) throw new ApiError('conflict', 'the webhook is disabled; re-enable it first');
        const total = await store.deadLetters.count(endpoint.id, { state: 'dead', ...range });
        const job = await jobs.runner.enqueue(jobs.replay, {
          idPrefix: 'rpl',
          tenantId: endpoint.tenantId,
          endpointId: endpoint.id,
          total,
          params: range,
        });
        return { status: 202, body: { jobId: job._id, total } };
      },
    }),
    route({
      method: 'post',
      path: '/webhooks/:id/recover',
      tags: ['dead letters'],
      summary: 'Resend every event of a time range the webhook subscribes to (delivered or not), as a job',
      auth: 'apiKey',
      owns: 'endpoint',
      role: 'configure',
      params: idParams,
      body: recoverInput,
      bodyOptional: true,
      responses: { 202: { description: 'The job', schema: jobAccepted } },
      errors: ['conflict'],
      async handler({ owned: endpoint, body: input }) {
        if (!endpoint.isActive) throw new ApiError('conflict', 'the webhook is disabled; re-enable it first');
        const { params, total } = await planRecover(
          log,
          topics.events,
          Date.parse(input.since),
          input.until ? Date.parse(input.until) : undefined,
        );
        const job = await jobs.runner
          .enqueue(jobs.recover, {
            idPrefix: 'rcv',
            tenantId: endpoint.tenantId,
            endpointId: endpoint.id,
            total,
            params,
            // One recover per endpoint at a time: two would send the same events twice over.
            exclusive: `recover:${endpoint.id}`,
          })
          .catch((error: unknown) => {
            if (!(error instanceof JobAlreadyActive)) throw error;
            throw new ApiError('conflict', `a recover job of this webhook is still running (${error.jobId}); wait for it to end`);
          });
        return { status: 202, body: { jobId: job._id, total } };
      },
    }),
    route({
      method: 'get',
      path: '/replays/:jobId',
      tags: ['dead letters'],
      summary: "A replay or recover job's progress",
      auth: 'apiKey',
      params: z.object({ jobId: z.string() }),
      responses: { 200: { description: 'The job', schema: replayJob } },
      errors: ['not_found'],
      async handler({ caller, params }) {
        const job = await jobs.store.find(params.jobId, caller.tenantId);
        if (!job) throw new ApiError('not_found', 'no such replay job');
        return { status: 200, body: jobView(job) };
      },
    }),
  ];
}
