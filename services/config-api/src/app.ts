import type { TopicNames } from '@hookline/core';
import { kafkaHealthChecks, type ConfigView, type KafkaClient, type Producer } from '@hookline/kafka';
import { createHttpApp, errorHandler, jsonBody, notFoundHandler } from '@hookline/service';
import { Alerts, type Store } from '@hookline/store';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { adminPageRoutes, defaultWebDir, meRoute, type AdminPageOptions } from './admin-page.js';
import { alertRoutes } from './alerts.js';
import { apiKeyRoutes } from './api-keys.js';
import { eventTypeRoutes, type EventTypeOptions } from './event-types.js';
import { incomingCallRoutes } from './incoming-calls.js';
import { incomingHookRoutes } from './incoming-hooks.js';
import { openApiJson } from './openapi.js';
import { tenantRoutes } from './tenants.js';
import { deliveryRoutes } from './deliveries.js';
import { feedRoutes } from './feed.js';
import { recoverRoutes } from './recover.js';
import { replayRoutes } from './replays.js';
import { statsRoutes } from './stats.js';
import { timeseriesRoutes } from './timeseries.js';
import { webhookRoutes } from './webhooks.js';

export interface ConfigApiDeps {
  config: ConfigView;
  producer: Producer;
  store: Store;
  logger: Logger;
  metrics: Registry;
  rootToken: string | undefined;
  retryTiers: string[];
  requireHttps: boolean;
  topics: TopicNames;
  kafka: KafkaClient;
  /** How long send-test waits for the attempt's outcome. */
  testTimeoutMs: number;
  /** Where event types' schemas are registered. */
  eventTypes: EventTypeOptions;
  /** The admin web page: where its build is, and ingest's public URL for incoming webhooks. */
  adminPage?: AdminPageOptions;
}

export function createConfigApiApp({ config, producer, store, logger, metrics, rootToken, retryTiers, requireHttps, topics, kafka, testTimeoutMs, eventTypes, adminPage = { webDir: defaultWebDir, ingestPublicUrl: undefined } }: ConfigApiDeps): Express {
  const app = createHttpApp({
    logger,
    metrics,
    health: {
      ...kafkaHealthChecks({ config, producer }),
      mongo: async () => {
        await store.ping();
        return { ok: true };
      },
    },
  });
  app.use('/api/admin', ...jsonBody('256kb'));
  app.use('/api/admin', tenantRoutes(config, producer, rootToken));
  app.use('/api/admin', apiKeyRoutes(config, producer));
  app.use('/api/admin', webhookRoutes(config, producer, { retryTiers, requireHttps }));
  app.use('/api/admin', deliveryRoutes(config, producer, store, topics, testTimeoutMs));
  app.use('/api/admin', feedRoutes(config, store));
  app.use('/api/admin', replayRoutes(config, producer, store, topics, logger));
  app.use('/api/admin', recoverRoutes({ config, producer, store, kafka, topics, logger }));
  app.use('/api/admin', statsRoutes(config, store));
  app.use('/api/admin', alertRoutes(config, producer, new Alerts(store.db)));
  app.use('/api/admin', timeseriesRoutes(config, store));
  app.use('/api/admin', meRoute(config, adminPage));
  app.use('/api/admin', incomingHookRoutes(config, producer));
  app.use('/api/admin', incomingCallRoutes(config, store));
  app.use('/api/admin', eventTypeRoutes(config, producer, eventTypes));
  app.get('/openapi.json', openApiJson);
  app.use(adminPageRoutes(adminPage));
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
