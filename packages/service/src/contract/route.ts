import type { ErrorCode } from '@hookline/core';
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route: a tenant's API key, the operator token (`HOOKLINE_ROOT_TOKEN`), or anyone (the route
 * checks a credential of its own, e.g. a secret token in the path).
 */
export type RouteAuth = 'apiKey' | 'operator' | 'none';

/** A role check a route may declare: change configuration, or send events. */
export type RouteRole = 'configure' | 'publish';

/** One documented answer; without `schema` the answer has no body (204). */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** `application/json` unless set. */
  contentType?: string;
}

export type ResponseSpecs = Record<number, ResponseSpec>;

export interface InputNames {
  headers?: string;
  body?: string;
}

/**
 * The types an API's access rules work with: who a caller is (an API key record) and what the `owns` check of a
 * route hands to its handler (e.g. `endpoint` → the caller's endpoint named by `:id`).
 */
export interface AccessTypes {
  caller: unknown;
  owned: Record<string, unknown>;
}

/** What a rate-limit rule sees: the request, its response (for headers) and the caller when the route authenticated one. */
export interface LimitedRequest<C> {
  req: Request;
  res: Response;
  caller: C | undefined;
}

/**
 * How an API answers the access part of a route declaration. Each function throws a typed `ApiError`
 * (`unauthorized`, `forbidden`, `not_found`) to refuse; the checks run as middleware in the order
 * authenticate → owns → role, before any input is validated.
 */
export interface AccessRules<T extends AccessTypes> {
  apiKey(req: Request): Promise<T['caller']>;
  operator(req: Request): Promise<void>;
  /** The `configure` role: may change configuration (owners and admins). */
  configure(caller: T['caller']): void;
  /** The `publish` role: may send events (an API whose routes never declare `role: 'publish'` may leave it out). */
  publish?(caller: T['caller']): void;
  /** Per resource kind: the caller's resource named by the `:id` path parameter, or `not_found`. */
  owners: { [K in keyof T['owned']]: (caller: T['caller'], id: string) => Promise<T['owned'][K]> };
  /** Per rate-limit name routes declare (`rateLimit`): draws from a bucket or throws `RateLimited` (429). */
  rateLimits?: Record<string, (request: LimitedRequest<T['caller']>) => void | Promise<void>>;
  /** Per quota name routes declare (`quota`): throws `QuotaExceeded` (403) when the caller's tenant has used it all. */
  quotas?: Record<string, (caller: T['caller']) => void | Promise<void>>;
}

/** What a handler answers: one of its declared statuses, with a body of that status's schema. */
export type Reply<R extends ResponseSpecs> = {
  [S in keyof R]: R[S] extends { schema: infer Z extends z.ZodType } ? { status: S; body: z.input<Z> } : { status: S };
}[keyof R];

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A handler's input: validated params, query and body, and what the access checks established. */
export interface HandlerInput<T extends AccessTypes, A extends RouteAuth, O, P, Q, B, H = undefined> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  /** The declared request headers (names in lower case), validated. */
  headers: Parsed<H>;
  /** The authenticated API key (routes with `auth: 'apiKey'`). */
  caller: A extends 'apiKey' ? T['caller'] : undefined;
  /** The resource the `owns` check found (routes with `owns`). */
  owned: O extends keyof T['owned'] ? T['owned'][O] : undefined;
  req: Request;
  res: Response;
}

export interface RouteSpec<
  T extends AccessTypes,
  A extends RouteAuth,
  O extends keyof T['owned'] | undefined,
  P,
  Q,
  B,
  R extends ResponseSpecs,
  H = undefined,
> {
  method: HttpMethod;
  /** Express syntax (`/webhooks/:id`), relative to where the routes are mounted. */
  path: string;
  summary: string;
  tags: string[];
  auth: A;
  /** Only callers with this role get past the middleware (`forbidden` otherwise). */
  role?: RouteRole;
  /** The `:id` path parameter names a resource of this kind, which must belong to the caller's tenant. */
  owns?: O;
  /** The route creates one of this quota's resources: refused with 403 `quota_exceeded` when the tenant is at its limit. */
  quota?: string;
  /** The named rate limit of the API's access rules, checked right after authentication (429 `rate_limited`). */
  rateLimit?: string;
  params?: P;
  query?: Q;
  /** Request headers the route reads (a `z.object` with lower-case names; other headers pass untouched). */
  headers?: H;
  body?: B;
  /** A request without a body is read as `{}` (for bodies whose every field is optional). */
  bodyOptional?: boolean;
  /** Media types the body may come in, for the document (`application/json` unless set; parsing is the app's). */
  bodyMediaTypes?: string[];
  /**
   * Express middleware run first, before the access checks: the route's own body parsers, or the credential
   * check of a route with `auth: 'none'` (which may then parse only for a caller it knows).
   */
  middleware?: RequestHandler[];
  /** What a 422's message calls the headers and the body (`headers`, `request body` unless set): "event is invalid". */
  inputNames?: InputNames;
  responses: R;
  /**
   * Error codes the handler itself may answer. Those the declaration implies (`unauthorized` from `auth`,
   * `forbidden` from `role`, `not_found` from `owns`, `validation_failed` from schemas) are added for it.
   */
  errors?: ErrorCode[];
  handler(input: HandlerInput<T, A, O, P, Q, B, H>): Promise<Reply<R>>;
}

/** A declared route with its types erased, ready to mount and document. */
export interface ApiRoute {
  method: HttpMethod;
  path: string;
  summary: string;
  tags: string[];
  auth: RouteAuth;
  role?: RouteRole;
  owns?: string;
  quota?: string;
  rateLimit?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: z.ZodType;
  body?: z.ZodType;
  bodyOptional?: boolean;
  bodyMediaTypes?: string[];
  middleware?: RequestHandler[];
  inputNames?: InputNames;
  responses: ResponseSpecs;
  errors?: ErrorCode[];
  handler(
    input: HandlerInput<AccessTypes, RouteAuth, unknown, unknown, unknown, unknown, unknown>,
  ): Promise<{ status: number; body?: unknown }>;
}

/**
 * The route declarer of an API whose access rules use the types `T`: `const route = routeDeclarer<MyAccess>()`,
 * then `route({ method, path, auth, ..., handler })` per route. The declaration is the only place a route's
 * access, input and answers are written; mounting and the OpenAPI document both read it.
 */
export function routeDeclarer<T extends AccessTypes>() {
  return function route<
    const R extends ResponseSpecs,
    A extends RouteAuth,
    O extends (keyof T['owned'] & string) | undefined = undefined,
    P extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
    H extends z.ZodType | undefined = undefined,
  >(spec: RouteSpec<T, A, O, P, Q, B, R, H>): ApiRoute {
    return spec as unknown as ApiRoute;
  };
}
