import { ApiError } from '@hookline/core';
import type { ConfigView } from '@hookline/kafka';
import { errorResponses, jsonContent, validate, type OpenApiPaths } from '@hookline/service';
import { IncomingCalls, type Store } from '@hookline/store';
import { Router } from 'express';
import { z } from 'zod';

export const callsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

/** What third parties recently sent to one incoming webhook (recorded by ingest), for the Incoming tab. */
export function incomingCallRoutes(config: ConfigView, store: Store): Router {
  const router = Router();
  const calls = new IncomingCalls(store.db);

  router.get('/incoming-webhooks/:id/calls', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    const hook = await config.readFresh((state) => state.incomingHookById(req.params.id));
    if (!hook || hook.tenantId !== caller.tenantId) throw new ApiError('not_found', 'no such incoming webhook');
    const { limit } = validate(callsQuery, req.query, 'query');
    res.json({ data: await calls.recent(hook.id, limit) });
  });

  return router;
}

const call = z
  .object({
    at: z.string(),
    status: z.number().int().describe('What ingest answered'),
    eventId: z.string().optional(),
    eventType: z.string().optional(),
    error: z.string().optional(),
    bodyExcerpt: z.string().describe('The first 512 characters of the body'),
  })
  .meta({ id: 'IncomingCall' });

export const incomingCallPaths: OpenApiPaths = {
  '/api/admin/incoming-webhooks/{id}/calls': {
    get: {
      tags: ['incoming webhooks'],
      summary: "An incoming webhook's most recent calls (up to 100 are kept), newest first",
      requestParams: { path: z.object({ id: z.string() }), query: callsQuery },
      responses: {
        '200': { description: 'Calls', content: jsonContent(z.object({ data: z.array(call) })) },
        ...errorResponses('unauthorized', 'not_found', 'validation_failed'),
      },
    },
  },
};
