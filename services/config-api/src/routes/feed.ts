import { ApiError } from '@hookline/core';
import { type AttemptDoc, attemptFeed, type FeedPosition, nextFeedPosition } from '@hookline/store';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';

/**
 * How long after its projection an attempt is held back from the feed: a batch is stamped before its insert
 * starts, and a follower must not read past a batch that is still going in.
 */
const settleMs = 1_000;

const position = z.tuple([z.string().datetime({ offset: true }), z.string().max(300)]);

/** Cursors are opaque to clients: base64url of `[recordedAt, attemptId]`. */
function encodeCursor({ recordedAt, attemptId }: FeedPosition): string {
  return Buffer.from(JSON.stringify([recordedAt, attemptId])).toString('base64url');
}

function decodeCursor(cursor: string): FeedPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = position.safeParse(parsed);
  if (!result.success)
    throw new ApiError('validation_failed', 'after is not a cursor this API returned', [{ path: 'after', message: 'invalid cursor' }]);
  return { recordedAt: result.data[0], attemptId: result.data[1] };
}

const feedQuery = z.object({
  after: z.string().max(1000).optional().describe('The `next` of the previous page; absent: the newest `limit` attempts.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  endpointId: z.string().max(200).optional(),
});

const attemptSummary = z
  .object({
    id: z.string().describe('Attempt id'),
    deliveryId: z.string().describe('The `webhook-id` the receiver saw'),
    eventId: z.string(),
    eventType: z.string(),
    endpointId: z.string(),
    endpointName: z.string().nullable().describe('Null when the endpoint has been deleted since'),
    attempt: z.number().int(),
    startedAt: z.string(),
    durationMs: z.number(),
    outcome: z.enum(['success', 'failure']),
    status: z.enum(['success', 'retrying', 'failed']).describe('`retrying` when another attempt will follow'),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'AttemptSummary' });
export type AttemptSummary = z.infer<typeof attemptSummary>;

function summary(attempt: AttemptDoc, endpointName: string | null): AttemptSummary {
  return {
    id: attempt._id,
    deliveryId: attempt.deliveryId,
    eventId: attempt.eventId,
    eventType: attempt.eventType,
    endpointId: attempt.endpointId,
    endpointName,
    attempt: attempt.attempt,
    startedAt: attempt.startedAt,
    durationMs: attempt.durationMs,
    outcome: attempt.outcome,
    status: attempt.outcome === 'success' ? 'success' : attempt.final ? 'failed' : 'retrying',
    statusCode: attempt.statusCode ?? null,
    error: attempt.outcome === 'success' ? null : (attempt.errorMessage ?? null),
  };
}

/** The tenant-wide feed of delivery attempts in the order they were recorded, for followers such as `hookline tail`. */
export function feedRoutes({ config, store }: AdminDeps) {
  return [
    route({
      method: 'get',
      path: '/deliveries',
      tags: ['deliveries'],
      summary: "The tenant's delivery attempts in the order they were recorded (follow with `after`: `next` of the previous page)",
      auth: 'apiKey',
      query: feedQuery,
      responses: {
        200: {
          description: 'Attempts, oldest first, and the cursor to continue from',
          schema: z.object({ data: z.array(attemptSummary), next: z.string() }),
        },
      },
      async handler({ caller, query: { after: cursor, limit, endpointId } }) {
        const after = cursor ? decodeCursor(cursor) : undefined;
        const settledBefore = new Date(Date.now() - settleMs).toISOString();
        const page = await attemptFeed(store.attempts, {
          tenantId: caller.tenantId,
          ...(endpointId ? { endpointId } : {}),
          ...(after ? { after } : {}),
          limit,
          settledBefore,
        });
        const names = config.state.endpoints;
        return {
          status: 200,
          body: {
            data: page.map((one) => summary(one, names.get(one.endpointId)?.name ?? null)),
            next: encodeCursor(nextFeedPosition(page, after, settledBefore)),
          },
        };
      },
    }),
  ];
}
