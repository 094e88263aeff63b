import type { components } from './generated/config-api.js';

/** The house error body every Hookline API answers with: `{ error: { code, message, details? } }`. */
export type ApiErrorBody = components['schemas']['Error'];

/** A validation problem as the APIs list them in `details` (`validation_failed`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** An answer outside 2xx, with the API's machine-readable `code` (or `http_<status>` when it sent no error body). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `details` as field problems, when they are a validation error's list (empty otherwise). */
  get fieldProblems(): FieldProblem[] {
    return fieldProblemsOf(this.details);
  }
}

export function isApiErrorBody(body: unknown): body is ApiErrorBody {
  if (!body || typeof body !== 'object' || !('error' in body)) return false;
  const error = (body as { error: unknown }).error as { code?: unknown; message?: unknown } | null;
  return !!error && typeof error === 'object' && typeof error.code === 'string' && typeof error.message === 'string';
}

/** `details` of a validation error as `{path, message}` pairs; anything else gives none. */
export function fieldProblemsOf(details: unknown): FieldProblem[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d: unknown) =>
    d && typeof d === 'object' && 'message' in d ? [{ path: 'path' in d && d.path ? String(d.path) : '', message: String(d.message) }] : [],
  );
}

/**
 * The error for a failed answer. `body` is what openapi-fetch gives as `error`: the parsed JSON, the text when
 * it was not JSON, or undefined when the answer was empty.
 */
export function apiErrorOf(response: Response, body: unknown): ApiError {
  if (isApiErrorBody(body)) return new ApiError(response.status, body.error.code, body.error.message, body.error.details);
  const text = typeof body === 'string' ? body.slice(0, 200) : '';
  return new ApiError(response.status, `http_${response.status}`, text || `${response.status} ${response.statusText}`.trim());
}

/** What every openapi-fetch call resolves to (success or error member). */
export interface ClientResult<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

/**
 * The body of a successful call, or an `ApiError` thrown for any other answer: `await ok(api.GET(...))`.
 * Calls that answer 204 resolve to undefined.
 */
export async function ok<Data>(call: Promise<ClientResult<Data>>): Promise<Data> {
  const result = await call;
  if (!result.response.ok) throw apiErrorOf(result.response, result.error);
  return result.data as Data;
}
