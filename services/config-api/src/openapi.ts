import { createLogger, type OpenApiDocument } from '@hookline/service';
import { Registry } from 'prom-client';
import { assembleConfigApi, type ConfigApi } from './app.js';
import type { AdminDeps } from './deps.js';

/** A dependency that is never used: any use says so. */
function unavailable<T>(name: string): T {
  const fail = () => {
    throw new Error(`config-api was assembled only for its document; ${name} is not available`);
  };
  return new Proxy({}, { get: () => new Proxy(fail, { get: () => fail }) }) as T;
}

/**
 * Building the app mounts routes and reads no dependency until a request comes, so the document is generated
 * without Kafka, MongoDB or a server.
 */
function unusedDeps(): AdminDeps {
  return {
    config: unavailable('config'),
    publisher: unavailable('publisher'),
    store: unavailable('store'),
    alerts: unavailable('alerts'),
    incomingCalls: unavailable('incomingCalls'),
    log: unavailable('log'),
    jobs: unavailable('jobs'),
    schemaRegistry: undefined,
    topics: unavailable('topics'),
    topicPrefix: '',
    retryTiers: [],
    requireHttps: false,
    testTimeoutMs: 0,
    ingestPublicUrl: undefined,
    rootToken: undefined,
    webhooks: unavailable('webhooks'),
  };
}

/** The config-api app assembled for inspection (its document, its mounted routes): nothing connects or listens. */
export function inspectConfigApi(): ConfigApi {
  return assembleConfigApi({ ...unusedDeps(), logger: createLogger('config-api-openapi', 'silent'), metrics: new Registry(), health: {} });
}

/** The admin API's OpenAPI 3.1 document, generated from the routes the app mounts (clients are generated from it). */
export function configApiOpenApi(): OpenApiDocument {
  return inspectConfigApi().document();
}
