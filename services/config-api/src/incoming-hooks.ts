import { randomBytes } from 'node:crypto';
import {
  ApiError,
  configKey,
  fieldMapping,
  hashApiKey,
  newId,
  producibleEventType,
  requireConfigureRole,
  type IncomingHookRecord,
} from '@hookline/core';
import type { ConfigView, Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import { Router } from 'express';
import { z } from 'zod';

export const createHookInput = z.object({
  name: z.string().min(1).max(200),
  eventType: producibleEventType,
  channels: z.array(z.string().min(1).max(128)).max(32).optional(),
  mapping: fieldMapping.optional(),
});

/** Where ingest answers for a token; relative, because only the deployment knows ingest's public origin. */
export function incomingHookPath(token: string): string {
  return `/api/webhooks/incoming/${token}`;
}

function publicHook({ tokenHash: _hash, kind: _kind, ...rest }: IncomingHookRecord) {
  return rest;
}

/**
 * Incoming webhooks of the caller's tenant: secret URLs on ingest that turn a third party's POSTs into events.
 * Owners and admins create and delete them; every role may list them (the list never holds tokens). The token
 * (256 random bits) is shown once, at creation; only its SHA-256 is stored, as for API keys.
 */
export function incomingHookRoutes(config: ConfigView, producer: Producer): Router {
  const router = Router();

  router.get('/incoming-webhooks', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    res.json({ data: [...config.state.incomingHooksOf(caller.tenantId)].map(publicHook) });
  });

  router.post('/incoming-webhooks', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    const input = validate(createHookInput, req.body);
    const token = randomBytes(32).toString('base64url');
    const now = new Date().toISOString();
    const record: IncomingHookRecord = {
      kind: 'incomingHook', id: newId('ih'), tenantId: caller.tenantId, ...input, tokenHash: hashApiKey(token), createdAt: now, updatedAt: now,
    };
    await config.write(producer, configKey('incomingHook', record.id), record);
    res.status(201).json({ ...publicHook(record), url: incomingHookPath(token), token });
  });

  router.delete('/incoming-webhooks/:id', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    const hook = config.state.incomingHookById(req.params.id);
    if (!hook || hook.tenantId !== caller.tenantId) throw new ApiError('not_found', 'no such incoming webhook');
    await config.write(producer, configKey('incomingHook', hook.id), null);
    res.status(204).end();
  });

  return router;
}
