import { type ErrorCode, errorStatus } from '@hookline/core';
import { z } from 'zod';
import { createDocument, type ZodOpenApiContentObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';

export type OpenApiDocument = ReturnType<typeof createDocument>;

/** The house error body (see `errorHandler`), with every code any API can answer. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error: a machine-readable code, a message, and details (e.g. validation problems).' });

/** `content` of a JSON request or response. */
export function jsonContent(schema: z.ZodType): ZodOpenApiContentObject {
  return { 'application/json': { schema } };
}

/** Error responses for the codes an operation can answer, grouped by status; `internal_error` is always possible. */
export function errorResponses(...codes: ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'internal_error' as const]) {
    const status = errorStatus[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      { description: list.map((c) => `\`${c}\``).join(', '), content: jsonContent(errorBody) },
    ]),
  );
}

export interface OpenApiDocumentOptions {
  title: string;
  description?: string;
  paths: ZodOpenApiPathsObject;
}

/**
 * One OpenAPI 3.1 document from zod schemas. Request bodies reference the schemas the routes validate with,
 * so the document follows the code. Every operation needs an API key (`Authorization: Bearer hk_...`) unless
 * it sets its own `security`.
 */
export function buildOpenApiDocument({ title, description, paths }: OpenApiDocumentOptions): OpenApiDocument {
  return createDocument({
    openapi: '3.1.0',
    info: { title, version: '0.1.0', ...(description ? { description } : {}) },
    paths,
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: "A tenant's API key; its role decides what it may change." },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'The operator token (`HOOKLINE_ROOT_TOKEN`).' },
      },
    },
  });
}
