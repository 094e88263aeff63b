import type { ErrorCode } from '@hookline/core';
import { z } from 'zod';
import type { ZodOpenApiContentObject, ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { buildOpenApiDocument, errorResponses, jsonContent, type OpenApiDocument } from '../openapi.js';
import { documentLimitHeaders } from './limits.js';
import type { AppRoute, MountedRoute } from './mount.js';
import type { ApiRoute } from './route.js';

/** `/webhooks/:id` → `/webhooks/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pathParamNames(expressPath: string): string[] {
  return [...expressPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** What reading a body can fail with (`jsonBody` and the body parsers, see `toApiError`). */
const bodyErrors: ErrorCode[] = ['invalid_json', 'bad_request', 'unsupported_media_type', 'payload_too_large'];

/**
 * The error codes a route can answer: its own and those its declaration implies, so that no route's document
 * forgets what the shared middleware answers (authentication, role, ownership, input validation, reading the body).
 */
export function routeErrors(route: ApiRoute): ErrorCode[] {
  const implied: ErrorCode[] = [
    ...(route.auth === 'none' ? [] : (['unauthorized'] as const)),
    ...(route.role ? (['forbidden'] as const) : []),
    ...(route.owns ? (['not_found'] as const) : []),
    ...(route.rateLimit ? (['rate_limited'] as const) : []),
    ...(route.quota ? (['quota_exceeded'] as const) : []),
    ...(route.params || route.query || route.headers || route.body ? (['validation_failed'] as const) : []),
    // The router decodes path parameters; malformed percent-encoding is refused before the route runs.
    ...(pathParamNames(route.path).length ? (['bad_request'] as const) : []),
    ...(route.body ? bodyErrors : []),
  ];
  return [...new Set([...implied, ...(route.errors ?? [])])];
}

function requestContent(schema: z.ZodType, mediaTypes: string[] | undefined): ZodOpenApiContentObject {
  if (!mediaTypes) return jsonContent(schema);
  return Object.fromEntries(mediaTypes.map((type) => [type, { schema }]));
}

function operation(route: MountedRoute): ZodOpenApiOperationObject {
  const names = pathParamNames(route.fullPath);
  const path = route.params ?? (names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined);
  const responses: ZodOpenApiResponsesObject = Object.fromEntries(
    Object.entries(route.responses).map(([status, spec]) => [
      status,
      {
        description: spec.description,
        ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } } : {}),
      },
    ]),
  );
  return {
    tags: route.tags,
    summary: route.summary,
    ...(route.auth === 'operator' ? { security: [{ operatorToken: [] }] } : route.auth === 'none' ? { security: [] } : {}),
    ...(path || route.query || route.headers
      ? {
          requestParams: {
            ...(path ? { path: path as z.ZodObject } : {}),
            ...(route.query ? { query: route.query as z.ZodObject } : {}),
            ...(route.headers ? { header: route.headers as z.ZodObject } : {}),
          },
        }
      : {}),
    ...(route.body ? { requestBody: { required: !route.bodyOptional, content: requestContent(route.body, route.bodyMediaTypes) } } : {}),
    responses: documentLimitHeaders({ ...responses, ...errorResponses(...routeErrors(route)) }),
  };
}

/** The paths object of mounted routes (several methods of one path share its entry). */
export function routePaths(routes: MountedRoute[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const key = openApiPath(route.fullPath);
    paths[key] = { ...paths[key], [route.method]: operation(route) };
  }
  return paths;
}

export interface RoutesDocumentOptions {
  title: string;
  description?: string;
  routes: MountedRoute[];
}

/** The OpenAPI 3.1 document of the routes an app mounted. */
export function routesDocument({ title, description, routes }: RoutesDocumentOptions): OpenApiDocument {
  return buildOpenApiDocument({ title, ...(description ? { description } : {}), paths: routePaths(routes) });
}

/**
 * Mounted routes under `prefix` that the document does not answer for with a success (2xx) response: a route
 * added beside the contract, or declared without its answer. Empty when the document covers the app.
 */
export function undocumentedRoutes(mounted: AppRoute[], document: OpenApiDocument, prefix: string): AppRoute[] {
  return mounted
    .filter((r) => r.path.startsWith(prefix))
    .filter((r) => {
      const op = (document.paths?.[openApiPath(r.path)] as Record<string, { responses?: Record<string, unknown> }> | undefined)?.[r.method];
      return !Object.keys(op?.responses ?? {}).some((status) => /^2\d\d$/.test(status));
    });
}
