import type { z } from 'zod';
import type { Connection } from './config.js';
import { CliError, usageError } from './errors.js';

/** The API's error body: `{ error: { code, message, details? } }`. */
interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

/** `details` of a validation error as `path: message` pairs, when the API sent them. */
function detailText(details: unknown): string {
  if (!Array.isArray(details)) return '';
  const parts = details.flatMap((d) => (d && typeof d === 'object' && 'message' in d ? [`${'path' in d && d.path ? `${String(d.path)}: ` : ''}${String(d.message)}`] : []));
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/**
 * HTTP calls to config-api (admin API) and ingest with the API key. Answers are checked against the caller's
 * zod schema; API errors become CliErrors carrying the API's `code`.
 */
export class HooklineClient {
  constructor(readonly connection: Connection) {}

  private get apiKey(): string {
    if (!this.connection.apiKey) throw usageError('no API key: pass --api-key or set HOOKLINE_API_KEY');
    return this.connection.apiKey;
  }

  /** A call to the admin API, `path` relative to `/api/admin`. */
  admin<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.infer<T>> {
    return this.call(schema, method, `${this.connection.apiUrl}/api/admin${path}`, body);
  }

  /** A call to the ingest API, `path` absolute (e.g. `/v1/events`). */
  ingest<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<z.infer<T>> {
    return this.call(schema, method, `${this.connection.ingestUrl}${path}`, body, headers);
  }

  private async call<T extends z.ZodType>(schema: T, method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<z.infer<T>> {
    const authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = (json as ApiErrorBody | undefined)?.error;
      const code = error?.code ?? `http_${response.status}`;
      throw new CliError(`${code}: ${error?.message ?? (text.slice(0, 200) || response.statusText)}${detailText(error?.details)}`, 1, code);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new CliError(`unexpected answer from ${method} ${new URL(url).pathname}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }
}
