import type { ApiRoute } from '@hookline/service';
import type { AdminDeps } from '../deps.js';
import { alertRoutes } from './alerts.js';
import { apiKeyRoutes } from './api-keys.js';
import { deadLetterRoutes } from './dead-letters.js';
import { deliveryRoutes } from './deliveries.js';
import { eventTypeRoutes } from './event-types.js';
import { feedRoutes } from './feed.js';
import { incomingHookRoutes } from './incoming-hooks.js';
import { meRoutes } from './me.js';
import { quotaRoutes } from './quotas.js';
import { statsRoutes } from './stats.js';
import { tenantRoutes } from './tenants.js';
import { timeseriesRoutes } from './timeseries.js';
import { webhookRoutes } from './webhooks.js';

/** Every admin route, relative to `/api/admin`. A new area is one file here plus one line below. */
export function adminRoutes(deps: AdminDeps): ApiRoute[] {
  return [
    ...tenantRoutes(deps),
    ...apiKeyRoutes(deps),
    ...webhookRoutes(deps),
    ...deliveryRoutes(deps),
    ...feedRoutes(deps),
    ...deadLetterRoutes(deps),
    ...statsRoutes(deps),
    ...alertRoutes(deps),
    ...timeseriesRoutes(deps),
    ...meRoutes(deps),
    ...incomingHookRoutes(deps),
    ...eventTypeRoutes(deps),
    ...quotaRoutes(deps),
  ];
}
