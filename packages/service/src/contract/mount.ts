import type { Express, Request, RequestHandler, Response, Router } from 'express';
import { jsonBody, validate } from '../http.js';
import { quotaMiddleware, rateLimitMiddleware } from './limits.js';
import type { AccessRules, AccessTypes, ApiRoute } from './route.js';

/** A route as mounted: its declaration and the full path it answers on (Express syntax). */
export interface MountedRoute extends ApiRoute {
  fullPath: string;
}

// What the access middleware established, kept on `res.locals` for the handler under these names.
const callerSlot = 'hooklineCaller';
const ownedSlot = 'hooklineOwned';

function accessMiddleware<T extends AccessTypes>(route: ApiRoute, access: AccessRules<T>): RequestHandler[] {
  const chain: RequestHandler[] = [];
  if (route.auth === 'apiKey') {
    chain.push(async (req, res, next) => {
      res.locals[callerSlot] = await access.apiKey(req);
      next();
    });
  } else if (route.auth === 'operator') {
    chain.push(async (req, _res, next) => {
      await access.operator(req);
      next();
    });
  }
  chain.push(...rateLimitMiddleware(route, access, (res) => res.locals[callerSlot] as T['caller'] | undefined));
  const owns = route.owns;
  if (owns !== undefined) {
    const find = access.owners[owns as keyof T['owned']];
    if (!find) throw new Error(`route ${route.method.toUpperCase()} ${route.path} owns "${owns}", which the access rules do not know`);
    chain.push(async (req, res, next) => {
      res.locals[ownedSlot] = await find(res.locals[callerSlot] as T['caller'], String(req.params.id));
      next();
    });
  }
  if (route.role !== undefined) {
    const check = access[route.role];
    if (!check)
      throw new Error(`route ${route.method.toUpperCase()} ${route.path} needs role "${route.role}", which the access rules do not check`);
    chain.push((_req, res, next) => {
      check.call(access, res.locals[callerSlot] as T['caller']);
      next();
    });
  }
  chain.push(...quotaMiddleware(route, access, (res) => res.locals[callerSlot] as T['caller'] | undefined));
  return chain;
}

function handle(route: ApiRoute): RequestHandler {
  return async (req: Request, res: Response) => {
    const input = {
      params: route.params ? validate(route.params, req.params, 'path parameters') : undefined,
      query: route.query ? validate(route.query, req.query, 'query') : undefined,
      headers: route.headers ? validate(route.headers, req.headers, route.inputNames?.headers ?? 'headers') : undefined,
      // No body at all is `{}` for an optional body; a body of `null` is a body, and the schema judges it.
      body: route.body
        ? validate(route.body, route.bodyOptional && req.body === undefined ? {} : req.body, route.inputNames?.body)
        : undefined,
      caller: res.locals[callerSlot],
      owned: res.locals[ownedSlot],
      req,
      res,
    };
    const reply = await route.handler(input as Parameters<ApiRoute['handler']>[0]);
    const contentType = route.responses[reply.status]?.contentType;
    if (reply.body === undefined) res.status(reply.status).end();
    else if (contentType && contentType !== 'application/json') res.status(reply.status).type(contentType).send(reply.body);
    else res.status(reply.status).json(reply.body);
  };
}

export interface MountOptions {
  /**
   * Parse a JSON body of up to this size for each route that declares `body`, after its access checks (an unknown
   * caller costs no parsing) and before validation. Unset where the routes parse their own (in `middleware`).
   */
  jsonBodyLimit?: string | number;
}

/**
 * Mounts declared routes under `prefix` (each directly on the app, so the mounted paths are walkable and the
 * request metric's route label is the template): the route's own middleware, access checks as middleware, the
 * body parser (`jsonBodyLimit`), then validation, then the handler. Returns what it mounted, for the OpenAPI document.
 */
export function mountRoutes<T extends AccessTypes>(
  app: Express | Router,
  prefix: string,
  routes: ApiRoute[],
  access: AccessRules<T>,
  { jsonBodyLimit }: MountOptions = {},
): MountedRoute[] {
  return routes.map((route) => {
    const fullPath = `${prefix}${route.path}`;
    const parseBody = route.body && jsonBodyLimit !== undefined ? jsonBody(jsonBodyLimit) : [];
    (app as Router)[route.method](fullPath, ...(route.middleware ?? []), ...accessMiddleware(route, access), ...parseBody, handle(route));
    return { ...route, fullPath };
  });
}

/** A method and path some layer of an Express app answers. */
export interface AppRoute {
  method: string;
  path: string;
}

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** Every route mounted directly on the app (what `app.get(...)` and `mountRoutes` add), in order. */
export function appRoutes(app: Express): AppRoute[] {
  const stack = (app as unknown as { router: { stack: RouteLayer[] } }).router.stack;
  return stack.flatMap((layer) => {
    if (!layer.route) return [];
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
    return paths.flatMap((path) => methods.map((method) => ({ method, path })));
  });
}
