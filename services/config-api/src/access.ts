import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, type ApiKeyRecord, type EndpointRecord, type IncomingHookRecord, requireConfigureRole } from '@hookline/core';
import { type AccessRules, routeDeclarer } from '@hookline/service';
import type { ConfigAccess } from './ports.js';

/** Who calls the admin API (an API key of a tenant) and the resources a route may own by `:id`. */
export interface AdminAccessTypes {
  caller: ApiKeyRecord;
  owned: { endpoint: EndpointRecord; incomingHook: IncomingHookRecord };
}

/** Declares an admin route (see `routeDeclarer`). */
export const route = routeDeclarer<AdminAccessTypes>();

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The admin API's access rules: API keys from the config topic, the operator token for tenant creation, the
 * configure role for owners and admins, and `:id` resources of the caller's tenant (another tenant's or a
 * missing one is `not_found`: existence is not revealed).
 */
export function adminAccessRules(config: ConfigAccess, rootToken: string | undefined): AccessRules<AdminAccessTypes> {
  return {
    apiKey: (req) => config.authenticate(req.headers.authorization),
    async operator(req) {
      const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!rootToken || !given || !sameSecret(given, rootToken)) throw new ApiError('unauthorized', 'operator token required');
    },
    configure: requireConfigureRole,
    owners: {
      async endpoint(caller, id) {
        const endpoint = await config.readFresh((state) => state.endpoints.get(id));
        if (!endpoint || endpoint.tenantId !== caller.tenantId) throw new ApiError('not_found', 'no such webhook');
        return endpoint;
      },
      async incomingHook(caller, id) {
        const hook = await config.readFresh((state) => state.incomingHookById(id));
        if (!hook || hook.tenantId !== caller.tenantId) throw new ApiError('not_found', 'no such incoming webhook');
        return hook;
      },
    },
  };
}
