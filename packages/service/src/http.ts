import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, type HealthStatus, type HealthVerdict, worstOf } from '@hookline/core';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
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
 * `/health` answers `{status, checks}`: 200 for ok and degraded, 503 for down. `/ready` answers 503 until the
 * service has started and again once it is stopping (see `lifecycle.ts`), so a load balancer drains it first.
 */
export function createHttpApp({ metrics, health = {}, lifecycle }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestMetrics(metrics));
  // `/api/health` is where the thig.ai API document puts it; both answer the same.
  app.get(['/health', '/api/health'], async (_req, res) => {
    const result = await runHealthChecks(health);
    res.status(result.status === 'down' ? 503 : 200).json(result);
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
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

/** JSON body parser that answers bad bodies with machine-readable codes instead of HTML pages. */
export function jsonBody(limit: string | number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (req.method !== 'GET' && req.method !== 'DELETE' && req.headers['content-length'] !== '0' && !req.is('application/json')) {
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
    if (apiError.status >= 500) logger.error({ err: error, path: req.path }, 'request failed');
    res.status(apiError.status).json({
      error: { code: apiError.code, message: apiError.message, ...(apiError.details ? { details: apiError.details } : {}) },
    });
  };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const type = (error as { type?: string }).type;
  if (type === 'entity.parse.failed') return new ApiError('invalid_json', 'request body is not valid JSON');
  if (type === 'entity.too.large') return new ApiError('payload_too_large', 'request body is too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ApiError('unsupported_media_type', (error as Error).message);
  }
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
