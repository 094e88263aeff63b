import { eventTypeName } from '@hookline/core';
import {
  buildOpenApiDocument,
  errorResponses,
  jsonContent,
  type OpenApiDocument,
  type OpenApiPaths,
  openApiRoute,
} from '@hookline/service';
import { z } from 'zod';
import { eventBatchInput, eventInput, idempotencyKey } from './events.js';
import { challengeQuery } from './incoming-webhooks.js';

const acceptedEvent = z.object({ id: z.string(), type: eventTypeName, timestamp: z.string() }).meta({ id: 'AcceptedEvent' });
const tokenParam = { path: z.object({ token: z.string().describe("The incoming webhook's secret token") }) };
const bodyErrors = ['invalid_json', 'unsupported_media_type', 'payload_too_large', 'validation_failed'] as const;

export const ingestPaths: OpenApiPaths = {
  '/v1/events': {
    post: {
      tags: ['events'],
      summary: 'Send one event; acknowledged once the broker has it',
      requestParams: {
        header: z.object({
          'idempotency-key': idempotencyKey.optional().describe('Retries with the same key and body return the same event'),
        }),
      },
      requestBody: { content: jsonContent(eventInput) },
      responses: {
        '202': { description: 'Accepted', content: jsonContent(acceptedEvent) },
        '200': { description: 'A retry of an Idempotency-Key already accepted: the same event', content: jsonContent(acceptedEvent) },
        ...errorResponses('unauthorized', ...bodyErrors, 'conflict', 'unknown_event_type', 'unavailable'),
      },
    },
  },
  '/v1/events/batch': {
    post: {
      tags: ['events'],
      summary: 'Send up to 500 events; one invalid item rejects the whole batch',
      requestBody: { content: jsonContent(eventBatchInput) },
      responses: {
        '202': { description: 'Accepted', content: jsonContent(z.object({ ids: z.array(z.string()) })) },
        ...errorResponses('unauthorized', ...bodyErrors, 'unknown_event_type', 'unavailable'),
      },
    },
  },
  '/api/webhooks/incoming/{token}': {
    post: {
      tags: ['incoming webhooks'],
      summary: "A third party's POST becomes an event of the hook's type (the token is the credential)",
      security: [],
      requestParams: tokenParam,
      requestBody: {
        content: {
          'application/json': { schema: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]) },
          'application/x-www-form-urlencoded': { schema: z.record(z.string(), z.string()) },
        },
      },
      responses: {
        '202': { description: 'Accepted as an event', content: jsonContent(z.object({ id: z.string() })) },
        '200': {
          description: 'A `{type: "url_verification", challenge}` body, answered',
          content: jsonContent(z.object({ challenge: z.string() })),
        },
        ...errorResponses('not_found', ...bodyErrors, 'unavailable'),
      },
    },
    get: {
      tags: ['incoming webhooks'],
      summary: 'Endpoint verification: answers the `challenge` query parameter',
      security: [],
      requestParams: { ...tokenParam, query: challengeQuery },
      responses: {
        '200': { description: 'The challenge, as text', content: { 'text/plain': { schema: z.string() } } },
        ...errorResponses('not_found', 'validation_failed'),
      },
    },
  },
};

export function ingestOpenApi(): OpenApiDocument {
  return buildOpenApiDocument({ title: 'Hookline ingest API', paths: ingestPaths });
}

/** `GET /openapi.json`. */
export const openApiJson = openApiRoute(() => ingestOpenApi());
