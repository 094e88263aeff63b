import type { ConfigView } from '@hookline/config';
import { createHttpApp, errorHandler, type HealthCheck, notFoundHandler, type ServiceLifecycle } from '@hookline/service';
import type { IncomingCalls } from '@hookline/store';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { eventRoutes, type IdempotencyStore } from './event-routes.js';
import { incomingWebhookRoutes } from './incoming-webhooks.js';
import { openApiJson } from './openapi.js';
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
}

export function createIngestApp({
  config,
  publisher,
  logger,
  metrics,
  idempotency,
  maxBodyBytes,
  health,
  incomingCalls,
  lifecycle,
}: IngestDeps): Express {
  const eventsIn = new Counter({ name: 'hookline_events_in_total', help: 'Events accepted by ingest', registers: [metrics] });
  const app = createHttpApp({ logger, metrics, ...(health ? { health } : {}), ...(lifecycle ? { lifecycle } : {}) });
  app.use(eventRoutes({ config, publisher, logger, idempotency, maxBodyBytes, eventsIn }));
  app.use('/api/webhooks/incoming', incomingWebhookRoutes({ config, publisher, maxBodyBytes, eventsIn, calls: incomingCalls, logger }));
  app.get('/openapi.json', openApiJson);
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
