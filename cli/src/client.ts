import {
  type AdminClient,
  ApiError,
  type ClientResult,
  createAdminClient,
  createIngestClient,
  type IngestClient,
  ok,
} from '@hookline/api-client';
import type { Connection } from './config.js';
import { CliError, usageError } from './errors.js';

/** How long one call may take before the CLI gives up on it. */
const callTimeoutMs = 60_000;

/**
 * The typed clients of config-api (admin API) and ingest with the API key. A missing key is a usage error at
 * the first call (so commands that need no API never ask for one); an unreachable service is a CliError
 * without `code`, which `tail --follow` treats as passing.
 */
export class HooklineClient {
  readonly admin: AdminClient;
  readonly ingest: IngestClient;

  constructor(readonly connection: Connection) {
    const send = (request: Request) => this.send(request);
    this.admin = createAdminClient({ baseUrl: connection.apiUrl, fetch: send });
    this.ingest = createIngestClient({ baseUrl: connection.ingestUrl, fetch: send });
  }

  private async send(request: Request): Promise<Response> {
    if (!this.connection.apiKey) throw usageError('no API key: pass --api-key or set HOOKLINE_API_KEY');
    request.headers.set('authorization', `Bearer ${this.connection.apiKey}`);
    try {
      return await fetch(request, { signal: AbortSignal.timeout(callTimeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach ${new URL(request.url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
  }
}

/** An API error as the CLI prints it: `code: message (path: problem; ...)`, carrying the API's code. */
function cliErrorOf(error: ApiError): CliError {
  const problems = error.fieldProblems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`);
  return new CliError(`${error.code}: ${error.message}${problems.length ? ` (${problems.join('; ')})` : ''}`, 1, error.code);
}

/** The body of a successful call (`await answer(client.admin.GET(...))`); any other answer becomes a CliError. */
export async function answer<Data>(call: Promise<ClientResult<Data>>): Promise<Data> {
  try {
    return await ok(call);
  } catch (error) {
    throw error instanceof ApiError ? cliErrorOf(error) : error;
  }
}
