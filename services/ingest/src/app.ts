import type { ConfigView } from '@hookline/config';
import {
  type AccessRules,
  answerUnsupportedMethods,
  createHttpApp,
  errorHandler,
  type HealthCheck,
  type MountedRoute,
  mountRoutes,
  notFoundHandler,
  type OpenApiDocument,
  routesDocument,
  type ServiceLifecycle,
} from '@hookline/service';
import type { IncomingCalls } from '@hookline/store';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type IngestAccessTypes, ingestAccessRules } from './access.js';
import { eventRoutes, type IdempotencyStore } from './event-routes.js';
import { incomingCallErrors, incomingWebhookRoutes, incomingWebhooksPrefix } from './incoming-webhooks.js';
import { defaultIngestLimits, type IngestLimits, ingestLimitRules } from './limits.js';
import type { EventPublisher } from './publish.js';

export interface IngestDeps {
  config: ConfigView;
  /** Puts accepted events on the `events` topic, behind the broker gate. */
  publisher: EventPublisher;
  logger: Logger;
  metrics: Registry;
  idempotency: IdempotencyStore;
  maxBodyBytes: number;
  /** Keeps incoming webhooks' recent calls for the admin page. */
  incomingCalls?: IncomingCalls;
  health?: Record<string, HealthCheck>;
  /** Answers `/ready` (starting, running, stopping). */
  lifecycle?: ServiceLifecycle;
  /** Rate limits (generous defaults when absent). */
  limits?: IngestLimits;
}

export interface IngestApi {
  app: Express;
  /** The routes as mounted (the OpenAPI document is generated from them). */
  routes: MountedRoute[];
  document(): OpenApiDocument;
}

/** Ingest's document, generated from the routes an app mounted. */
function ingestDocument(routes: MountedRoute[]): OpenApiDocument {
  return routesDocument({ title: 'Hookline ingest API', routes });
}

/**
 * The ingest app: health, `POST /v1/events` and `/v1/events/batch`, incoming webhooks under
 * `/api/webhooks/incoming` (each route declared once, in `event-routes.ts` and `incoming-webhooks.ts`), and its
 * OpenAPI document. Each route parses its own body (JSON only, except incoming webhooks' forms).
 */
export function assembleIngestApi({
  config,
  publisher,
  logger,
  metrics,
  idempotency,
  maxBodyBytes,
  health,
  incomingCalls,
  lifecycle,
  limits = defaultIngestLimits,
}: IngestDeps): IngestApi {
  const eventsIn = new Counter({ name: 'hookline_events_in_total', help: 'Events accepted by ingest', registers: [metrics] });
  const app = createHttpApp({ logger, metrics, ...(health ? { health } : {}), ...(lifecycle ? { lifecycle } : {}) });
  // Ingest answers writes, which no client revalidates: hashing every 202 body for an ETag was ~3 % of its CPU.
  app.set('etag', false);
  const access: AccessRules<IngestAccessTypes> = { ...ingestAccessRules(config), ...ingestLimitRules(limits) };
  const routes = [
    ...mountRoutes(app, '', eventRoutes({ config, publisher, logger, idempotency, maxBodyBytes, eventsIn }), access),
    ...mountRoutes(
      app,
      incomingWebhooksPrefix,
      incomingWebhookRoutes({ config, publisher, maxBodyBytes, eventsIn, calls: incomingCalls, logger }),
      access,
    ),
  ];
  app.use(incomingWebhooksPrefix, incomingCallErrors);
  let document: OpenApiDocument | undefined;
  const documentOnce = () => (document ??= ingestDocument(routes));
  app.get('/openapi.json', (_req, res) => {
    res.json(documentOnce());
  });
  answerUnsupportedMethods(app);
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return { app, routes, document: documentOnce };
}
