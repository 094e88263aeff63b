import { type ApiKeyRecord, configKey, generateApiKey, hashApiKey, newId, type TenantRecord } from '@hookline/core';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';

const tenantInput = z.object({ name: z.string().min(1).max(200) });

/** Operator routes: creating a tenant also creates its first owner API key, shown only in this response. */
export function tenantRoutes({ config, publisher }: AdminDeps) {
  return [
    route({
      method: 'post',
      path: '/tenants',
      tags: ['tenants'],
      summary: 'Create a tenant and its first owner API key (operator only)',
      auth: 'operator',
      body: tenantInput,
      responses: {
        201: {
          description: 'The tenant and its owner key, shown only here',
          schema: z.object({
            tenant: z.object({ id: z.string(), name: z.string() }),
            apiKey: z.object({ id: z.string(), role: z.literal('owner'), key: z.string() }),
          }),
        },
      },
      async handler({ body }) {
        const now = new Date().toISOString();
        const tenant: TenantRecord = { kind: 'tenant', id: newId('ten'), name: body.name, createdAt: now, updatedAt: now };
        const key = generateApiKey();
        const apiKey: ApiKeyRecord = {
          kind: 'apiKey',
          id: newId('key'),
          tenantId: tenant.id,
          name: 'owner',
          role: 'owner',
          keyHash: hashApiKey(key),
          keyPrefix: key.slice(0, 7),
          createdAt: now,
          updatedAt: now,
        };
        await config.write(publisher, configKey('tenant', tenant.id), tenant);
        await config.write(publisher, configKey('apiKey', apiKey.id), apiKey);
        return { status: 201, body: { tenant: { id: tenant.id, name: tenant.name }, apiKey: { id: apiKey.id, role: 'owner', key } } };
      },
    }),
  ];
}
