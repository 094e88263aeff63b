import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, type HealthStatus, type HealthVerdict, worstOf } from '@hookline/core';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import type { z } from 'zod';
import { ServiceLifecycle } from './lifecycle.js';

/** A check's verdict (see `HealthVerdict`); `{ ok: boolean }` is accepted for short checks: true is `ok`, false `down`. */
export type HealthResult = HealthVerdict | { ok: boolean; reason?: string };
export type HealthCheck = () => HealthResult | Promise<HealthResult>;

export interface HttpAppOptions {
  logger: Logger;
  metrics: Registry;
  health?: Record<string, HealthCheck>;
  /** The process's lifecycle (from `runService`); without one, `/ready` is running until SIGTERM or SIGINT. */
  lifecycle?: ServiceLifecycle;
}

/** Runs every check (a throwing check is `down` with its message) and combines them: the worst one wins. */
export async function runHealthChecks(
  health: Record<string, HealthCheck>,
): Promise<{ status: HealthStatus; checks: Record<string, HealthVerdict> }> {
  const entries = await Promise.all(
    Object.entries(health).map(async ([name, check]) => {
      try {
        const result = await check();
        const status: HealthStatus = 'status' in result ? result.status : result.ok ? 'ok' : 'down';
        return [name, { status, ...(result.reason ? { reason: result.reason } : {}) }] as const;
      } catch (error) {
        return [name, { status: 'down' as const, reason: (error as Error).message }] as const;
      }
    }),
  );
  return { status: worstOf(entries.map(([, verdict]) => verdict)).status, checks: Object.fromEntries(entries) };
}

/**
 * An express app with `/health`, `/ready`, `/metrics`, and the house error format already wired.
 * `/health` answers `{status, checks, pid}`: 200 for ok and degraded, 503 for down. The pid tells which process
 * answered (several instances on one host; a supervisor that must not take another's port for its child's).
 * `/ready` answers 503 until the service has started and again once it is stopping (see `lifecycle.ts`), so a load
 * balancer drains it first.
 */
export function createHttpApp({ metrics, health = {}, lifecycle }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestMetrics(metrics));
  // `/api/health` is where the thig.ai API document puts it; both answer the same.
  app.get(['/health', '/api/health'], async (_req, res) => {
    const result = await runHealthChecks(health);
    res.status(result.status === 'down' ? 503 : 200).json({ ...result, pid: process.pid });
  });
  const ready = lifecycle ?? ServiceLifecycle.followingSignals();
  app.get('/ready', (_req, res) => {
    const phase = ready.phase;
    res.status(phase === 'running' ? 200 : 503).json({ ready: phase === 'running', phase });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  return app;
}

const requestMetric = 'hookline_http_request_duration_seconds';

/**
 * Times every request by method, route template (`/api/admin/webhooks/:id`, never the id itself; `unmatched`
 * for 404s) and status code, so the labels stay few.
 */
function requestMetrics(registry: Registry): RequestHandler {
  const histogram =
    (registry.getSingleMetric(requestMetric) as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: requestMetric,
      help: 'HTTP requests served, by method, route template and status (count and duration)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.on('finish', () => {
      end({ method: req.method, route: routeTemplate(req), status: String(res.statusCode) });
    });
    next();
  };
}

/**
 * The route template a request matched (`/api/webhooks/incoming/:token`, never the token itself), or `unmatched`.
 * Metrics and logs use it instead of the path, which can hold credentials and has unbounded values.
 */
export function routeTemplate(req: Request): string {
  return req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

/**
 * JSON body parser that answers bad bodies with machine-readable codes instead of HTML pages. A request without a
 * body passes (the route's schema decides whether it needed one); a body of another media type is refused.
 */
export function jsonBody(limit: string | number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    // `req.is` is null when there is no body, false when there is one of another type.
    if (req.method !== 'GET' && req.method !== 'DELETE' && req.headers['content-length'] !== '0' && req.is('application/json') === false) {
      return next(new ApiError('unsupported_media_type', 'request body must be application/json'));
    }
    next();
  };
  return [requireJson, express.json({ limit, strict: false })];
}

/** Must be the last middleware: turns any error into `{ error: { code, message, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const apiError = toApiError(error);
    // The route template, never the path: an incoming webhook's path is its secret token.
    if (apiError.status >= 500) logger.error({ err: error, method: req.method, route: routeTemplate(req) }, 'request failed');
    res.status(apiError.status).json({
      error: { code: apiError.code, message: apiError.message, ...(apiError.details ? { details: apiError.details } : {}) },
    });
  };
}

/** What the body parsers (`http-errors`) and the router say about a request they could not read, by `type`. */
const requestErrors: Record<string, (error: Error) => ApiError> = {
  'entity.parse.failed': () => new ApiError('invalid_json', 'request body is not valid JSON'),
  'entity.too.large': () => new ApiError('payload_too_large', 'request body is too large'),
  'parameters.too.many': () => new ApiError('payload_too_large', 'request body has too many fields'),
  'encoding.unsupported': (error) => new ApiError('unsupported_media_type', error.message),
  'charset.unsupported': (error) => new ApiError('unsupported_media_type', error.message),
  'request.size.invalid': () => new ApiError('bad_request', 'request body does not match its Content-Length'),
  'request.aborted': () => new ApiError('bad_request', 'request aborted'),
};

/**
 * Our own errors as they are; what the body parsers and the router refuse as the matching 4xx code (a body that
 * cannot be inflated, a path whose percent-encoding is malformed); anything else is an internal error, whose
 * message is never shown.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (typeof error !== 'object' || error === null) return new ApiError('internal_error', 'internal error');
  const { type, status, expose } = error as { type?: string; status?: number; expose?: boolean };
  const known = type ? requestErrors[type] : undefined;
  if (known) return known(error as Error);
  // The router's `decodeURIComponent` of a path parameter.
  if (error instanceof URIError && status === 400) return new ApiError('bad_request', 'request path is not valid percent-encoding');
  // The body parsers' other refusals (`http-errors` marks them `expose`), e.g. a body that cannot be inflated.
  if (expose === true && status === 400) return new ApiError('bad_request', `request body could not be read: ${(error as Error).message}`);
  return new ApiError('internal_error', 'internal error');
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new ApiError('not_found', 'no such route'));
}

/** Starts listening and returns the server and the port it got (0 asks the OS for a free one). */
export async function listen(app: Express, port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** Validates a request part against a zod schema; failures become 422 `validation_failed` with each problem. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiError(
      'validation_failed',
      `${what} is invalid`,
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return result.data;
}
