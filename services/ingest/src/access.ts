import type { ConfigView } from '@hookline/config';
import { ApiError, type ApiKeyRecord, requireConfigureRole, requirePublishRole } from '@hookline/core';
import { type AccessRules, routeDeclarer } from '@hookline/service';

/** Who calls ingest (an API key of a tenant); no ingest route owns a resource by `:id`. */
export interface IngestAccessTypes {
  caller: ApiKeyRecord;
  owned: Record<never, never>;
}

/** Declares an ingest route (see `routeDeclarer`). */
export const route = routeDeclarer<IngestAccessTypes>();

/**
 * Ingest's access rules: API keys from its config view (read-your-writes, so a key created a moment ago works).
 * The event routes declare `role: 'publish'` (owners, admins, publishers; never members or viewers, see
 * `rolePermissions`); ingest has no operator routes. Incoming webhooks are `auth: 'none'`: their token is checked
 * by their own middleware.
 */
export function ingestAccessRules(config: Pick<ConfigView, 'authenticate'>): AccessRules<IngestAccessTypes> {
  return {
    apiKey: (req) => config.authenticate(req.headers.authorization),
    async operator() {
      throw new ApiError('unauthorized', 'ingest has no operator routes');
    },
    configure: requireConfigureRole,
    publish: requirePublishRole,
    owners: {},
  };
}
