import { apiKeyRecord, attemptRecord, deadLetterRecord, endpointRecord, eventTypeRecord, incomingHookRecord } from '@hookline/core';
import { buildOpenApiDocument, errorResponses, jsonContent, openApiRoute, type OpenApiDocument, type OpenApiPaths } from '@hookline/service';
import { z } from 'zod';
import { mePaths } from './admin-page.js';
import { alertListQuery, alertSettings, alertSettingsInput, alertView } from './alerts.js';
import { createKeyInput } from './api-keys.js';
import { listQuery as deliveryListQuery, testInput } from './deliveries.js';
import { createEventTypeInput, updateEventTypeInput } from './event-types.js';
import { attemptSummary, feedQuery } from './feed.js';
import { incomingCallPaths } from './incoming-calls.js';
import { createHookInput } from './incoming-hooks.js';
import { recoverInput } from './recover.js';
import { listQuery as deadLetterListQuery, replayInput } from './replays.js';
import { tenantInput } from './tenants.js';
import { timeseriesPaths } from './timeseries.js';
import { createEndpointInput, rotateInput, updateEndpointInput } from './webhooks.js';

// Responses: what the routes answer, described next to the paths. Request bodies are the routes' own schemas.
const webhook = endpointRecord.omit({ kind: true, secrets: true }).meta({ id: 'Webhook' });
const createdWebhook = webhook.extend({ secret: z.string().describe('The signing secret (whsec_...); shown only here.') });
const apiKey = apiKeyRecord.omit({ kind: true, keyHash: true }).meta({ id: 'ApiKey' });
const incomingHook = incomingHookRecord.omit({ kind: true, tokenHash: true }).meta({ id: 'IncomingWebhook' });
const eventType = eventTypeRecord.omit({ kind: true, id: true }).meta({ id: 'EventType' });
const attempt = attemptRecord.meta({ id: 'Attempt' });
const deliverySummary = z
  .object({
    id: z.string(),
    eventId: z.string(),
    event: z.string(),
    timestamp: z.string(),
    status: z.enum(['success', 'failed', 'retrying']),
    response_code: z.number().int().nullable(),
    response_time_ms: z.number(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'DeliverySummary' });
const deadLetter = deadLetterRecord
  .omit({ task: true })
  .extend({
    deliveryId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    attempts: z.number().int(),
    endpointId: z.string(),
    tenantId: z.string(),
    state: z.enum(['dead', 'replayed']),
  })
  .meta({ id: 'DeadLetter' });
const replayJob = z
  .object({
    jobId: z.string(),
    tenantId: z.string(),
    endpointId: z.string(),
    state: z.enum(['running', 'done', 'failed']),
    total: z.number().int(),
    done: z.number().int(),
    error: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ReplayJob' });
const statsSummary = {
  totalDeliveries: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  successRate: z.number().nullable(),
  averageResponseTimeMs: z.number().nullable(),
  p95ResponseTimeMs: z.union([z.number(), z.literal('>30000')]).describe('Upper bound of the latency bucket holding the 95th percentile.'),
  failuresLast24h: z.number().int(),
  lastDelivery: z
    .object({ at: z.string(), status: z.enum(['success', 'failure']), statusCode: z.number().int().nullable(), error: z.string().nullable() })
    .nullable(),
};
const webhookStats = z.object({
  webhookId: z.string(),
  state: z.enum(['active', 'disabled']),
  disabledReason: z.string().optional(),
  disabledAt: z.string().optional(),
  consecutiveFailures: z.number().int(),
  ...statsSummary,
});
const tenantStats = z.object({
  tenantId: z.string(),
  endpoints: z.object({ total: z.number().int(), active: z.number().int(), disabled: z.number().int() }),
  ...statsSummary,
});

const list = (item: z.ZodType) => z.object({ data: z.array(item) });
const ok = (description: string, schema: z.ZodType) => ({ description, content: jsonContent(schema) });
const noContent = { '204': { description: 'Deleted' } };
const idParam = { path: z.object({ id: z.string() }) };
const nameParam = { path: z.object({ name: z.string() }) };
const deliveryParams = { path: z.object({ id: z.string(), deliveryId: z.string() }) };
const tags = (tag: string) => ({ tags: [tag] });

/** Read routes: any key of the tenant. Write routes: an owner or admin key (`forbidden` otherwise). */
const read = ['unauthorized'] as const;
const write = ['unauthorized', 'forbidden', 'invalid_json', 'unsupported_media_type', 'payload_too_large', 'validation_failed'] as const;

export const configApiPaths: OpenApiPaths = {
  '/api/admin/tenants': {
    post: {
      ...tags('tenants'),
      summary: 'Create a tenant and its first owner API key (operator only)',
      security: [{ operatorToken: [] }],
      requestBody: { content: jsonContent(tenantInput) },
      responses: {
        '201': ok('The tenant and its owner key, shown only here', z.object({
          tenant: z.object({ id: z.string(), name: z.string() }),
          apiKey: z.object({ id: z.string(), role: z.literal('owner'), key: z.string() }),
        })),
        ...errorResponses(...write),
      },
    },
  },
  '/api/admin/webhooks': {
    get: { ...tags('webhooks'), summary: "List the tenant's webhooks", responses: { '200': ok('Webhooks', list(webhook)), ...errorResponses(...read) } },
    post: {
      ...tags('webhooks'),
      summary: 'Create a webhook (its secret is returned once)',
      requestBody: { content: jsonContent(createEndpointInput) },
      responses: { '201': ok('The webhook with its secret', createdWebhook), ...errorResponses(...write) },
    },
  },
  '/api/admin/webhooks/{id}': {
    get: { ...tags('webhooks'), summary: 'Read a webhook', requestParams: idParam, responses: { '200': ok('The webhook', webhook), ...errorResponses(...read, 'not_found') } },
    patch: {
      ...tags('webhooks'),
      summary: 'Change a webhook; `isActive: true` re-enables an auto-disabled one',
      requestParams: idParam,
      requestBody: { content: jsonContent(updateEndpointInput) },
      responses: { '200': ok('The updated webhook', webhook), ...errorResponses(...write, 'not_found') },
    },
    delete: { ...tags('webhooks'), summary: 'Delete a webhook', requestParams: idParam, responses: { ...noContent, ...errorResponses('unauthorized', 'forbidden', 'not_found') } },
  },
  '/api/admin/webhooks/{id}/secret/rotate': {
    post: {
      ...tags('webhooks'),
      summary: 'Rotate the signing secret; the previous one keeps signing for `overlapSeconds`',
      requestParams: idParam,
      requestBody: { content: jsonContent(rotateInput) },
      responses: {
        '200': ok('The new secret', z.object({ secret: z.string(), previousSecretsExpireAt: z.string().nullable() })),
        ...errorResponses(...write, 'not_found'),
      },
    },
  },
  '/api/admin/webhooks/{id}/test': {
    post: {
      ...tags('deliveries'),
      summary: 'Send a test event through the delivery path and answer with the outcome',
      requestParams: idParam,
      requestBody: { content: jsonContent(testInput) },
      responses: {
        '200': ok('The attempt', z.object({
          deliveryId: z.string(),
          outcome: z.enum(['success', 'failure']),
          statusCode: z.number().int().nullable(),
          durationMs: z.number(),
          error: z.string().nullable(),
          responseExcerpt: z.string().nullable(),
        })),
        ...errorResponses(...write, 'not_found', 'unavailable'),
      },
    },
  },
  '/api/admin/webhooks/{id}/deliveries': {
    get: {
      ...tags('deliveries'),
      summary: 'Recent deliveries, newest first',
      requestParams: { ...idParam, query: deliveryListQuery },
      responses: { '200': ok('Deliveries', list(deliverySummary)), ...errorResponses(...read, 'not_found', 'validation_failed') },
    },
  },
  '/api/admin/webhooks/{id}/deliveries/{deliveryId}': {
    get: {
      ...tags('deliveries'),
      summary: 'One delivery with all its attempts',
      requestParams: deliveryParams,
      responses: { '200': ok('The delivery', deliverySummary.extend({ attemptsLog: z.array(attempt) })), ...errorResponses(...read, 'not_found') },
    },
  },
  '/api/admin/deliveries': {
    get: {
      ...tags('deliveries'),
      summary: "The tenant's delivery attempts in the order they were recorded (follow with `after`: `next` of the previous page)",
      requestParams: { query: feedQuery },
      responses: {
        '200': ok('Attempts, oldest first, and the cursor to continue from', z.object({ data: z.array(attemptSummary.meta({ id: 'AttemptSummary' })), next: z.string() })),
        ...errorResponses(...read, 'validation_failed'),
      },
    },
  },
  '/api/admin/webhooks/{id}/dead-letters': {
    get: {
      ...tags('dead letters'),
      summary: 'Dead-lettered deliveries of a webhook',
      requestParams: { ...idParam, query: deadLetterListQuery },
      responses: { '200': ok('Dead letters', z.object({ total: z.number().int(), data: z.array(deadLetter) })), ...errorResponses(...read, 'not_found', 'validation_failed') },
    },
  },
  '/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry': {
    post: {
      ...tags('dead letters'),
      summary: 'Send a dead-lettered delivery again now',
      requestParams: deliveryParams,
      responses: {
        '202': ok('Queued as its next attempt', z.object({ deliveryId: z.string(), attempt: z.number().int() })),
        ...errorResponses('unauthorized', 'forbidden', 'not_found', 'conflict'),
      },
    },
  },
  '/api/admin/webhooks/{id}/replay': {
    post: {
      ...tags('dead letters'),
      summary: 'Replay all dead letters of a webhook (optionally of a time range) as a job',
      requestParams: idParam,
      requestBody: { content: jsonContent(replayInput) },
      responses: { '202': ok('The job', z.object({ jobId: z.string(), total: z.number().int() })), ...errorResponses(...write, 'not_found', 'conflict') },
    },
  },
  '/api/admin/webhooks/{id}/recover': {
    post: {
      ...tags('dead letters'),
      summary: 'Resend every event of a time range the webhook subscribes to (delivered or not), as a job',
      requestParams: idParam,
      requestBody: { content: jsonContent(recoverInput) },
      responses: { '202': ok('The job', z.object({ jobId: z.string(), total: z.number().int() })), ...errorResponses(...write, 'not_found', 'conflict') },
    },
  },
  '/api/admin/replays/{jobId}': {
    get: {
      ...tags('dead letters'),
      summary: "A replay job's progress",
      requestParams: { path: z.object({ jobId: z.string() }) },
      responses: { '200': ok('The job', replayJob), ...errorResponses(...read, 'not_found') },
    },
  },
  '/api/admin/webhooks/{id}/stats': {
    get: { ...tags('stats'), summary: "A webhook's delivery stats", requestParams: idParam, responses: { '200': ok('Stats', webhookStats), ...errorResponses(...read, 'not_found') } },
  },
  '/api/admin/stats/webhooks': {
    get: {
      ...tags('stats'),
      summary: "Every webhook's delivery stats in one answer (without failuresLast24h)",
      responses: { '200': ok('Stats per webhook', list(webhookStats.omit({ failuresLast24h: true }))), ...errorResponses(...read) },
    },
  },
  '/api/admin/stats': {
    get: { ...tags('stats'), summary: "The tenant's delivery stats", responses: { '200': ok('Stats', tenantStats), ...errorResponses(...read) } },
  },
  ...timeseriesPaths,
  ...mePaths,
  '/api/admin/alerts': {
    get: {
      ...tags('alerts'),
      summary: "The tenant's alerts, newest first (raised by the projector; each fire and resolve is also a `hookline.alert` event)",
      requestParams: { query: alertListQuery },
      responses: { '200': ok('Alerts', list(alertView.meta({ id: 'Alert' }))), ...errorResponses(...read, 'validation_failed') },
    },
  },
  '/api/admin/alerts/settings': {
    get: { ...tags('alerts'), summary: "The tenant's alert settings (defaults until set; alerts are off by default)", responses: { '200': ok('Settings', alertSettings), ...errorResponses(...read) } },
    put: {
      ...tags('alerts'),
      summary: 'Change alert settings (fields left out keep their value)',
      requestBody: { content: jsonContent(alertSettingsInput) },
      responses: { '200': ok('Settings', alertSettings), ...errorResponses(...write) },
    },
  },
  '/api/admin/api-keys': {
    get: { ...tags('api keys'), summary: "List the tenant's API keys", responses: { '200': ok('Keys (never the keys themselves)', list(apiKey)), ...errorResponses('unauthorized', 'forbidden') } },
    post: {
      ...tags('api keys'),
      summary: 'Create an API key (only an owner may create owner keys)',
      requestBody: { content: jsonContent(createKeyInput) },
      responses: { '201': ok('The key, shown only here', apiKey.extend({ key: z.string() })), ...errorResponses(...write) },
    },
  },
  '/api/admin/api-keys/{id}': {
    delete: { ...tags('api keys'), summary: 'Revoke an API key', requestParams: idParam, responses: { ...noContent, ...errorResponses('unauthorized', 'forbidden', 'not_found') } },
  },
  '/api/admin/incoming-webhooks': {
    get: { ...tags('incoming webhooks'), summary: "List the tenant's incoming webhooks", responses: { '200': ok('Incoming webhooks', list(incomingHook)), ...errorResponses(...read) } },
    post: {
      ...tags('incoming webhooks'),
      summary: 'Create an incoming webhook: a secret URL on ingest whose POSTs become events',
      requestBody: { content: jsonContent(createHookInput) },
      responses: {
        '201': ok('The hook with its URL and token, shown only here', incomingHook.extend({ url: z.string(), token: z.string() })),
        ...errorResponses(...write),
      },
    },
  },
  '/api/admin/incoming-webhooks/{id}': {
    delete: { ...tags('incoming webhooks'), summary: 'Delete an incoming webhook', requestParams: idParam, responses: { ...noContent, ...errorResponses('unauthorized', 'forbidden', 'not_found') } },
  },
  ...incomingCallPaths,
  '/api/admin/event-types': {
    get: { ...tags('event types'), summary: "List the tenant's event types", responses: { '200': ok('Event types', list(eventType)), ...errorResponses(...read) } },
    post: {
      ...tags('event types'),
      summary: 'Create an event type, optionally with a JSON Schema for its data (registered in the schema registry)',
      requestBody: { content: jsonContent(createEventTypeInput) },
      responses: { '201': ok('The event type', eventType), ...errorResponses(...write, 'conflict', 'unavailable') },
    },
  },
  '/api/admin/event-types/{name}': {
    get: { ...tags('event types'), summary: 'Read an event type', requestParams: nameParam, responses: { '200': ok('The event type', eventType), ...errorResponses(...read, 'not_found') } },
    put: {
      ...tags('event types'),
      summary: "Change an event type's description or schema (the registry checks BACKWARD compatibility)",
      requestParams: nameParam,
      requestBody: { content: jsonContent(updateEventTypeInput) },
      responses: { '200': ok('The event type', eventType), ...errorResponses(...write, 'not_found', 'conflict', 'unavailable') },
    },
    delete: { ...tags('event types'), summary: 'Delete an event type', requestParams: nameParam, responses: { ...noContent, ...errorResponses('unauthorized', 'forbidden', 'not_found') } },
  },
};

export function configApiOpenApi(extraPaths: OpenApiPaths = {}): OpenApiDocument {
  return buildOpenApiDocument({ title: 'Hookline admin API (config-api)', paths: { ...configApiPaths, ...extraPaths } });
}

/** `GET /openapi.json`. */
export const openApiJson = openApiRoute(() => configApiOpenApi());
