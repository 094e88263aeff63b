import type { Me } from '@hookline/api-client';
import { type AdminClient, ApiError, apiKeyHeader, apiKeyMiddleware, createAdminClient, ok } from '@hookline/api-client';

/** The admin API as the page uses it: the key from sessionStorage as a Bearer token, errors as ApiError. */

const keyStorage = 'hookline.apiKey';

/** The signed-in key, kept in sessionStorage: it survives a reload of the tab and nothing else. */
export function storedKey(): string | null {
  return sessionStorage.getItem(keyStorage);
}

export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(keyStorage, key);
  else sessionStorage.removeItem(keyStorage);
}

/** The page is served by config-api, so the API is on the same origin (`/api/admin/...`). */
function sameOrigin() {
  return { baseUrl: '', headers: { accept: 'application/json' } };
}

/**
 * The admin API with the stored key, read at each request. Calls go through `ok(...)`. A 401 means the key is
 * gone or revoked: `onUnauthorized` is called.
 */
export function createAdminApi(onUnauthorized: () => void): AdminClient {
  const admin = createAdminClient(sameOrigin());
  admin.use(apiKeyMiddleware(storedKey));
  admin.use({
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  });
  return admin;
}

/** The caller behind `key`, asked before it becomes the session's key (a 401 here is a failed sign-in). */
export function whoIs(key: string): Promise<Me> {
  return ok(createAdminClient(sameOrigin()).GET('/api/admin/me', { headers: apiKeyHeader(key) }));
}

export { ApiError, ok };

/** A failure as one line for the page: the message and, for validation errors, which fields. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.fieldProblems.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export const encode = encodeURIComponent;
