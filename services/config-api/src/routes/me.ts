import { permissions, role, rolePermissions } from '@hookline/core';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';

/**
 * `GET /api/admin/me`: who the key is, what its role may do (the page hides configure buttons from keys that may
 * not configure) and where ingest is.
 */
export function meRoutes({ config, ingestPublicUrl }: AdminDeps) {
  return [
    route({
      method: 'get',
      path: '/me',
      tags: ['api keys'],
      summary: 'The calling API key: its role and tenant (and the public ingest URL, when configured)',
      auth: 'apiKey',
      responses: {
        200: {
          description: 'The key',
          schema: z.object({
            keyId: z.string(),
            name: z.string(),
            role,
            permissions: z.array(z.enum(permissions)),
            tenantId: z.string(),
            tenantName: z.string().nullable(),
            ingestUrl: z.string().nullable(),
          }),
        },
      },
      async handler({ caller }) {
        return {
          status: 200,
          body: {
            keyId: caller.id,
            name: caller.name,
            role: caller.role,
            permissions: rolePermissions[caller.role].slice(),
            tenantId: caller.tenantId,
            tenantName: config.state.tenants.get(caller.tenantId)?.name ?? null,
            ingestUrl: ingestPublicUrl ?? null,
          },
        };
      },
    }),
  ];
}
