import { ApiError, type ApiKeyRecord, type EndpointRecord } from '@hookline/core';
import type { ConfigView } from '@hookline/kafka';
import type { Request } from 'express';

/** The caller's endpoint `:id`, or 404 for another tenant's or a missing one (existence is not revealed). */
export async function ownEndpoint(config: ConfigView, req: Request<{ id: string }>): Promise<{ key: ApiKeyRecord; endpoint: EndpointRecord }> {
  const key = await config.authenticate(req.headers.authorization);
  const endpoint = await config.readFresh((state) => state.endpoints.get(req.params.id));
  if (!endpoint || endpoint.tenantId !== key.tenantId) throw new ApiError('not_found', 'no such webhook');
  return { key, endpoint };
}
