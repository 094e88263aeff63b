import { type AdminClient, createAdminClient, createIngestClient, type IngestClient } from '@hookline/api-client';

/** The typed clients' failure and unwrap helper, so tests need no dependency of their own on the package. */
export { ApiError, ok } from '@hookline/api-client';

/** The typed admin API client (generated from config-api's OpenAPI document) with any key: a viewer's, the operator token. */
export function adminApi(configApiUrl: string, key: string): AdminClient {
  return createAdminClient({ baseUrl: configApiUrl, apiKey: key });
}

/** The typed ingest API client with a tenant's key. */
export function ingestApi(ingestUrl: string, key: string): IngestClient {
  return createIngestClient({ baseUrl: ingestUrl, apiKey: key });
}

/**
 * A raw JSON call, for what the typed clients cannot send: malformed bodies, wrong content types, missing or
 * foreign keys, routes a test expects to be absent. Answers are untyped; prefer `adminApi`/`TestTenant.api`.
 */
export interface JsonResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function requestJson<T = any>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Polls `check` until it returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
