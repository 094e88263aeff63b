import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, configKey, generateApiKey, hashApiKey, newId, type ApiKeyRecord, type TenantRecord } from '@hookline/core';
import type { ConfigView, Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import { Router } from 'express';
import { z } from 'zod';

export const tenantInput = z.object({ name: z.string().min(1).max(200) });

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Operator routes: creating a tenant also creates its first owner API key, shown only in this response. */
export function tenantRoutes(config: ConfigView, producer: Producer, rootToken: string | undefined): Router {
  const router = Router();
  router.post('/tenants', async (req, res) => {
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!rootToken || !given || !sameSecret(given, rootToken)) throw new ApiError('unauthorized', 'operator token required');
    const input = validate(tenantInput, req.body);
    const now = new Date().toISOString();
    const tenant: TenantRecord = { kind: 'tenant', id: newId('ten'), name: input.name, createdAt: now, updatedAt: now };
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
    await config.write(producer, configKey('tenant', tenant.id), tenant);
    await config.write(producer, configKey('apiKey', apiKey.id), apiKey);
    res.status(201).json({ tenant: { id: tenant.id, name: tenant.name }, apiKey: { id: apiKey.id, role: apiKey.role, key } });
  });
  return router;
}
