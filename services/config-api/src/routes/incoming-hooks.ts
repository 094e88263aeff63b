import { randomBytes } from 'node:crypto';
import { ApiError, configKey, fieldMapping, hashApiKey, type IncomingHookRecord, newId, producibleEventType } from '@hookline/core';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { deleted, idParams, incomingHook, list } from './schemas.js';

const createHookInput = z.object({
  name: z.string().min(1).max(200),
  eventType: producibleEventType,
  channels: z.array(z.string().min(1).max(128)).max(32).optional(),
  mapping: fieldMapping.optional(),
});
const callsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

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

/** Where ingest answers for a token; relative, because only the deployment knows ingest's public origin. */
function incomingHookPath(token: string): string {
  return `/api/webhooks/incoming/${token}`;
}

function publicHook({ tokenHash: _hash, kind: _kind, ...rest }: IncomingHookRecord) {
  return rest;
}

/**
 * Incoming webhooks of the caller's tenant: secret URLs on ingest that turn a third party's POSTs into events.
 * Owners and admins create and delete them; every role may list them (the list never holds tokens) and see what
 * third parties recently sent. The token (256 random bits) is shown once, at creation; only its SHA-256 is
 * stored, as for API keys.
 */
export function incomingHookRoutes({ config, publisher, incomingCalls }: AdminDeps) {
  return [
    route({
      method: 'get',
      path: '/incoming-webhooks',
      tags: ['incoming webhooks'],
      summary: "List the tenant's incoming webhooks",
      auth: 'apiKey',
      responses: { 200: { description: 'Incoming webhooks', schema: list(incomingHook) } },
      async handler({ caller }) {
        return { status: 200, body: { data: [...config.state.incomingHooksOf(caller.tenantId)].map(publicHook) } };
      },
    }),
    route({
      method: 'post',
      path: '/incoming-webhooks',
      tags: ['incoming webhooks'],
      summary: 'Create an incoming webhook: a secret URL on ingest whose POSTs become events',
      auth: 'apiKey',
      role: 'configure',
      quota: 'incomingHooks',
      body: createHookInput,
      responses: {
        201: {
          description: 'The hook with its URL and token, shown only here',
          schema: incomingHook.extend({ url: z.string(), token: z.string() }),
        },
      },
      async handler({ caller, body }) {
        const token = randomBytes(32).toString('base64url');
        const now = new Date().toISOString();
        const record: IncomingHookRecord = {
          kind: 'incomingHook',
          id: newId('ih'),
          tenantId: caller.tenantId,
          ...body,
          tokenHash: hashApiKey(token),
          createdAt: now,
          updatedAt: now,
        };
        await config.write(publisher, configKey('incomingHook', record.id), record);
        return { status: 201, body: { ...publicHook(record), url: incomingHookPath(token), token } };
      },
    }),
    route({
      method: 'delete',
      path: '/incoming-webhooks/:id',
      tags: ['incoming webhooks'],
      summary: 'Delete an incoming webhook',
      auth: 'apiKey',
      role: 'configure',
      params: idParams,
      responses: deleted,
      errors: ['not_found'],
      // The role is checked before the lookup (a viewer learns nothing about ids): no `owns` here.
      async handler({ caller, params }) {
        const hook = config.state.incomingHookById(params.id);
        if (!hook || hook.tenantId !== caller.tenantId) throw new ApiError('not_found', 'no such incoming webhook');
        await config.write(publisher, configKey('incomingHook', hook.id), null);
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/incoming-webhooks/:id/calls',
      tags: ['incoming webhooks'],
      summary: "An incoming webhook's most recent calls (up to 100 are kept), newest first",
      auth: 'apiKey',
      owns: 'incomingHook',
      params: idParams,
      query: callsQuery,
      responses: { 200: { description: 'Calls', schema: list(call) } },
      async handler({ owned: hook, query: { limit } }) {
        return { status: 200, body: { data: await incomingCalls.recent(hook.id, limit) } };
      },
    }),
  ];
}
