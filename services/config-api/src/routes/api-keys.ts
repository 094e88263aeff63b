import {
  ApiError,
  type ApiKeyRecord,
  assignableRoles,
  configKey,
  generateApiKey,
  hashApiKey,
  newId,
  requirePermission,
} from '@hookline/core';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { apiKey, deleted, idParams, list } from './schemas.js';

// `member` is not offered: it only survives in keys created before `viewer` and `publisher` existed (read only).
const createKeyInput = z.object({ name: z.string().min(1).max(200), role: z.enum(assignableRoles) });

function publicKey({ keyHash: _hash, kind: _kind, ...rest }: ApiKeyRecord) {
  return rest;
}

/**
 * API keys of the caller's tenant. Every role may list them (a read: id, name, role and prefix, never the key);
 * owners and admins manage them; only an owner may mint or revoke an owner key. A key is shown once, at
 * creation; only its hash is stored.
 */
export function apiKeyRoutes({ config, publisher }: AdminDeps) {
  return [
    route({
      method: 'get',
      path: '/api-keys',
      tags: ['api keys'],
      summary: "List the tenant's API keys",
      auth: 'apiKey',
      responses: { 200: { description: 'Keys (never the keys themselves)', schema: list(apiKey) } },
      async handler({ caller }) {
        return { status: 200, body: { data: [...config.state.apiKeysOf(caller.tenantId)].map(publicKey) } };
      },
    }),
    route({
      method: 'post',
      path: '/api-keys',
      tags: ['api keys'],
      summary: 'Create an API key (only an owner may create owner keys)',
      auth: 'apiKey',
      role: 'configure',
      quota: 'apiKeys',
      body: createKeyInput,
      responses: { 201: { description: 'The key, shown only here', schema: apiKey.extend({ key: z.string() }) } },
      async handler({ caller, body }) {
        if (body.role === 'owner') requirePermission(caller, 'manageOwners');
        const key = generateApiKey();
        const now = new Date().toISOString();
        const record: ApiKeyRecord = {
          kind: 'apiKey',
          id: newId('key'),
          tenantId: caller.tenantId,
          name: body.name,
          role: body.role,
          keyHash: hashApiKey(key),
          keyPrefix: key.slice(0, 7),
          createdAt: now,
          updatedAt: now,
        };
        await config.write(publisher, configKey('apiKey', record.id), record);
        return { status: 201, body: { ...publicKey(record), key } };
      },
    }),
    route({
      method: 'delete',
      path: '/api-keys/:id',
      tags: ['api keys'],
      summary: 'Revoke an API key',
      auth: 'apiKey',
      role: 'configure',
      params: idParams,
      responses: deleted,
      errors: ['not_found'],
      async handler({ caller, params }) {
        const target = config.state.apiKeyById(params.id);
        if (!target || target.tenantId !== caller.tenantId) throw new ApiError('not_found', 'no such API key');
        if (target.role === 'owner') requirePermission(caller, 'manageOwners');
        await config.write(publisher, configKey('apiKey', target.id), null);
        return { status: 204 };
      },
    }),
  ];
}
