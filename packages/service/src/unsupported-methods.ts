import { ApiError } from '@hookline/core';
import type { Express } from 'express';
import { appRoutes } from './contract/mount.js';

const methodOrder = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The methods a client may use on a path that answers these (HEAD with GET, OPTIONS always), in a fixed order. */
function allowedMethods(methods: Iterable<string>): string[] {
  const upper = new Set([...methods].map((m) => m.toUpperCase()));
  if (upper.has('GET')) upper.add('HEAD');
  upper.add('OPTIONS');
  const rank = (method: string) => (methodOrder.includes(method) ? methodOrder.indexOf(method) : methodOrder.length);
  return [...upper].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Call once every route is mounted on the app, before `notFoundHandler`: a known path asked with a method it does
 * not answer gets 405 `method_not_allowed` with `Allow` (RFC 9110) instead of 404, and `OPTIONS` gets 204 with
 * `Allow`. It runs where no route matched the method, so before any access check: it tells only which methods exist.
 */
export function answerUnsupportedMethods(app: Express): void {
  const byPath = new Map<string, Set<string>>();
  for (const { method, path } of appRoutes(app)) byPath.set(path, (byPath.get(path) ?? new Set()).add(method));
  for (const [path, methods] of byPath) {
    const allow = allowedMethods(methods);
    // `route().all` is one layer of any method (`app.all` adds one per method, which `appRoutes` would list).
    app.route(path).all((req, res, next) => {
      res.set('allow', allow.join(', '));
      if (req.method === 'OPTIONS') res.status(204).end();
      else next(new ApiError('method_not_allowed', `${req.method} is not supported on this path`, { allow }));
    });
  }
}
