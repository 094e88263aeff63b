import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { paths as AdminPaths } from './generated/config-api.js';
import type { paths as IngestPaths } from './generated/ingest.js';

export type { AdminPaths, IngestPaths };
/** The admin API (config-api): paths as in its OpenAPI document, e.g. `GET('/api/admin/webhooks')`. */
export type AdminClient = Client<AdminPaths>;
/** The ingest API: `POST('/v1/events')`, `POST('/v1/events/batch')`, incoming webhooks. */
export type IngestClient = Client<IngestPaths>;

/** The header an API key (or the operator token) travels in. */
export function apiKeyHeader(key: string): { authorization: string } {
  return { authorization: `Bearer ${key}` };
}

/**
 * Sets the key on each request when it is read at request time (a key kept in session storage, a key that
 * changes); requests that already carry an `authorization` header keep theirs.
 */
export function apiKeyMiddleware(currentKey: () => string | null | undefined): Middleware {
  return {
    onRequest({ request }) {
      const key = currentKey();
      if (key && !request.headers.has('authorization')) request.headers.set('authorization', apiKeyHeader(key).authorization);
      return request;
    },
  };
}

export interface ApiClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The service's origin, e.g. `http://127.0.0.1:8200`; '' in a page served by that service. */
  baseUrl: string;
  /** A fixed API key sent with every request (see `apiKeyMiddleware` for one read per request). */
  apiKey?: string;
}

function clientOptions({ apiKey, headers, ...options }: ApiClientOptions): ClientOptions {
  return { ...options, headers: { ...(apiKey ? apiKeyHeader(apiKey) : {}), ...(headers as Record<string, string> | undefined) } };
}

export function createAdminClient(options: ApiClientOptions): AdminClient {
  return createClient<AdminPaths>(clientOptions(options));
}

export function createIngestClient(options: ApiClientOptions): IngestClient {
  return createClient<IngestPaths>(clientOptions(options));
}
