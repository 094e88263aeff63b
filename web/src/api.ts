import type { Me } from '@hookline/api-client';
import { ApiError, apiKeyHeader, apiKeyMiddleware, createAdminClient, ok } from '@hookline/api-client';

/** The admin API as the page uses it: the key from sessionStorage as a Bearer token, errors as ApiError. */

const keyStorage = 'hookline.apiKey';

export const session = {
  get key(): string | null {
    return sessionStorage.getItem(keyStorage);
  },
  set key(value: string | null) {
    if (value) sessionStorage.setItem(keyStorage, value);
    else sessionStorage.removeItem(keyStorage);
  },
};

/** Dispatched on `window` when the API answers 401 to the session's key: it is gone or revoked. */
export const unauthorizedEvent = 'hookline:unauthorized';

/** The page is served by config-api, so the API is on the same origin (`/api/admin/...`). */
const sameOrigin = { baseUrl: '', headers: { accept: 'application/json' } };

/** The admin API with the session's key, read at each request. Calls go through `ok(...)`. */
export const admin = createAdminClient(sameOrigin);
admin.use(apiKeyMiddleware(() => session.key));
admin.use({
  onResponse({ response }) {
    if (response.status === 401) window.dispatchEvent(new Event(unauthorizedEvent));
    return response;
  },
});

/** The caller behind `key`, asked before it becomes the session's key (a 401 here is a failed sign-in). */
export function whoIs(key: string): Promise<Me> {
  return ok(createAdminClient(sameOrigin).GET('/api/admin/me', { headers: apiKeyHeader(key) }));
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
