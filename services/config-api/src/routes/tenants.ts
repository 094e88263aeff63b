import { createHash } from 'node:crypto';
import { ApiError, type ApiKeyRecord, configKey, generateApiKey, hashApiKey, newId, type TenantRecord } from '@hookline/core';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';

const tenantInput = z.object({ name: z.string().min(1).max(200) });
const tenantHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Retries with the same key make one tenant; each answer carries a new owner key and revokes the one before'),
});

/** An id that a retry with the same Idempotency-Key finds again. */
function idFor(prefix: string, idempotencyKey: string): string {
  return `${prefix}_${createHash('sha256').update(`${prefix}\u0000${idempotencyKey}`).digest('hex').slice(0, 26)}`;
}

/**
 * Operator routes: creating a tenant also creates its first owner API key, shown only in this response. The key
 * is written before the tenant, so a tenant never exists without an owner key (a crash in between leaves only a
 * key nobody was shown, of a tenant that does not exist); with an Idempotency-Key a retry completes the same
 * tenant instead of making another.
 */
export function tenantRoutes({ config, publisher }: AdminDeps) {
  return [
    route({
      method: 'post',
      path: '/tenants',
      tags: ['tenants'],
      summary: 'Create a tenant and its first owner API key (operator only)',
      auth: 'operator',
      headers: tenantHeaders,
      body: tenantInput,
      inputNames: { headers: 'Idempotency-Key header', body: 'tenant' },
      responses: {
        201: {
          description: 'The tenant and its owner key, shown only here',
          schema: z.object({
            tenant: z.object({ id: z.string(), name: z.string() }),
            apiKey: z.object({ id: z.string(), role: z.literal('owner'), key: z.string() }),
          }),
        },
      },
      errors: ['conflict'],
      async handler({ body, headers }) {
        const now = new Date().toISOString();
        const retryKey = headers['idempotency-key'];
        const tenantId = retryKey ? idFor('ten', retryKey) : newId('ten');
        const keyId = retryKey ? idFor('key', retryKey) : newId('key');
        const [existingTenant, existingKey] = retryKey
          ? await Promise.all([config.readFresh((s) => s.tenants.get(tenantId)), config.readFresh((s) => s.apiKeyById(keyId))])
          : [undefined, undefined];
        if (existingTenant && existingTenant.name !== body.name) {
          throw new ApiError('conflict', 'this Idempotency-Key already created a tenant of another name');
        }
        const tenant: TenantRecord = existingTenant ?? { kind: 'tenant', id: tenantId, name: body.name, createdAt: now, updatedAt: now };
        const key = generateApiKey();
        const apiKey: ApiKeyRecord = {
          kind: 'apiKey',
          id: keyId,
          tenantId: tenant.id,
          name: 'owner',
          role: 'owner',
          keyHash: hashApiKey(key),
          keyPrefix: key.slice(0, 7),
          createdAt: existingKey?.createdAt ?? now,
          updatedAt: now,
          // A retry replaces the key it made before (compare-and-set: two retries at once, one answers 409).
          ...(existingKey?.version === undefined ? {} : { version: existingKey.version }),
        };
        await config.write(publisher, configKey('apiKey', apiKey.id), apiKey);
        if (!existingTenant) await config.write(publisher, configKey('tenant', tenant.id), tenant);
        return { status: 201, body: { tenant: { id: tenant.id, name: tenant.name }, apiKey: { id: apiKey.id, role: 'owner', key } } };
      },
    }),
  ];
}
