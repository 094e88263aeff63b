import {
  ApiError,
  configKey,
  generateApiKey,
  hashApiKey,
  newId,
  requireConfigureRole,
  role,
  type ApiKeyRecord,
} from '@hookline/core';
import type { ConfigView, Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import { Router } from 'express';
import { z } from 'zod';

export const createKeyInput = z.object({ name: z.string().min(1).max(200), role });

function publicKey({ keyHash: _hash, kind: _kind, ...rest }: ApiKeyRecord) {
  return rest;
}

/**
 * API keys of the caller's tenant. Owners and admins manage them; only an owner may mint another owner key.
 * A key is shown once, at creation; only its hash is stored.
 */
export function apiKeyRoutes(config: ConfigView, producer: Producer): Router {
  const router = Router();

  router.get('/api-keys', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    res.json({ data: [...config.state.apiKeysOf(caller.tenantId)].map(publicKey) });
  });

  router.post('/api-keys', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    const input = validate(createKeyInput, req.body);
    if (input.role === 'owner' && caller.role !== 'owner') throw new ApiError('forbidden', 'only an owner may create owner keys');
    const key = generateApiKey();
    const now = new Date().toISOString();
    const record: ApiKeyRecord = {
      kind: 'apiKey', id: newId('key'), tenantId: caller.tenantId, name: input.name, role: input.role,
      keyHash: hashApiKey(key), keyPrefix: key.slice(0, 7), createdAt: now, updatedAt: now,
    };
    await config.write(producer, configKey('apiKey', record.id), record);
    res.status(201).json({ ...publicKey(record), key });
  });

  router.delete('/api-keys/:id', async (req, res) => {
    const caller = await config.authenticate(req.headers.authorization);
    requireConfigureRole(caller);
    const target = config.state.apiKeyById(req.params.id);
    if (!target || target.tenantId !== caller.tenantId) throw new ApiError('not_found', 'no such API key');
    if (target.role === 'owner' && caller.role !== 'owner') throw new ApiError('forbidden', 'only an owner may revoke owner keys');
    await config.write(producer, configKey('apiKey', target.id), null);
    res.status(204).end();
  });

  return router;
}
