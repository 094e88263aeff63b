/** The admin API as the page uses it: the key from sessionStorage as a Bearer token, errors as ApiFailure. */

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

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Called when the API answers 401: the key is gone or revoked, so the page returns to its login form. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void) {
  onUnauthorized = handler;
}

export async function api<T>(path: string, options: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const key = options.key ?? session.key;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api/admin${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => null)) as { error?: { code: string; message: string; details?: { path: string; message: string }[] } } | null;
  if (!response.ok) {
    if (response.status === 401 && !options.key) onUnauthorized();
    const error = json?.error;
    throw new ApiFailure(response.status, error?.code ?? 'http_error', error?.message ?? `${response.status} ${response.statusText}`, error?.details);
  }
  return json as T;
}

/** A failure as one line for the page: the message and, for validation errors, which fields. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiFailure) {
    const fields = error.details?.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export const encode = encodeURIComponent;
