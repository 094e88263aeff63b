import { createLogger, type OpenApiDocument } from '@hookline/service';
import { Registry } from 'prom-client';
import { assembleIngestApi, type IngestApi, type IngestDeps } from './app.js';

/** A dependency that is never used: any use says so. */
function unavailable<T>(name: string): T {
  const fail = () => {
    throw new Error(`ingest was assembled only for its document; ${name} is not available`);
  };
  return new Proxy({}, { get: () => new Proxy(fail, { get: () => fail }) }) as T;
}

/**
 * Building the app mounts routes and reads no dependency until a request comes, so the document is generated
 * without Kafka, MongoDB or a server.
 */
function unusedDeps(): IngestDeps {
  return {
    config: unavailable('config'),
    publisher: unavailable('publisher'),
    idempotency: unavailable('idempotency'),
    logger: createLogger('ingest-openapi', 'silent'),
    metrics: new Registry(),
    maxBodyBytes: 1024 * 1024,
  };
}

/** The ingest app assembled for inspection (its document, its mounted routes): nothing connects or listens. */
export function inspectIngestApi(): IngestApi {
  return assembleIngestApi(unusedDeps());
}

/** Ingest's OpenAPI 3.1 document, generated from the routes the app mounts (clients are generated from it). */
export function ingestOpenApi(): OpenApiDocument {
  return inspectIngestApi().document();
}
