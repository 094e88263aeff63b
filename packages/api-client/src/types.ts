import type { ClientPathsWithMethod, MethodResponse } from 'openapi-fetch';
import type { AdminClient, IngestClient } from './client.js';
import type { paths as AdminPaths, components } from './generated/config-api.js';
import type { paths as IngestPaths } from './generated/ingest.js';

/**
 * Names for the answers clients read most, all derived from the generated document types (never restated):
 * a change of a route's schema reaches every client through `pnpm gen:api`.
 */
type Schemas = components['schemas'];
type AdminGet<Path extends ClientPathsWithMethod<AdminClient, 'get'>> = MethodResponse<AdminClient, 'get', Path>;
type AdminPost<Path extends ClientPathsWithMethod<AdminClient, 'post'>> = MethodResponse<AdminClient, 'post', Path>;

export type Webhook = Schemas['Webhook'];
export type CreatedWebhook = AdminPost<'/api/admin/webhooks'>;
export type DeliverySummary = Schemas['DeliverySummary'];
export type DeliveryDetail = AdminGet<'/api/admin/webhooks/{id}/deliveries/{deliveryId}'>;
export type Attempt = Schemas['Attempt'];
export type AttemptSummary = Schemas['AttemptSummary'];
export type DeadLetter = Schemas['DeadLetter'];
export type ReplayJob = Schemas['ReplayJob'];
export type Timeseries = Schemas['Timeseries'];
export type TimeseriesPoint = Timeseries['points'][number];
export type Alert = Schemas['Alert'];
export type AlertSettings = AdminGet<'/api/admin/alerts/settings'>;
export type ApiKey = Schemas['ApiKey'];
export type IncomingWebhook = Schemas['IncomingWebhook'];
export type IncomingCall = Schemas['IncomingCall'];
export type EventType = Schemas['EventType'];
export type ScheduledExport = Schemas['ScheduledExport'];
export type WebhookStats = AdminGet<'/api/admin/webhooks/{id}/stats'>;
export type TenantStats = AdminGet<'/api/admin/stats'>;
export type WebhookStatsRow = AdminGet<'/api/admin/stats/webhooks'>['data'][number];
export type TestResult = AdminPost<'/api/admin/webhooks/{id}/test'>;
export type Me = AdminGet<'/api/admin/me'>;
export type Role = Me['role'];
export type CreatedTenant = AdminPost<'/api/admin/tenants'>;
export type AcceptedEvent = MethodResponse<IngestClient, 'post', '/v1/events'>;

/** The JSON body an operation takes (`JsonBody<AdminPaths['/api/admin/webhooks']['post']>`). */
type JsonBody<Operation> = Operation extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : never;
export type CreateWebhookInput = JsonBody<AdminPaths['/api/admin/webhooks']['post']>;
export type UpdateWebhookInput = JsonBody<AdminPaths['/api/admin/webhooks/{id}']['patch']>;
export type EventInput = JsonBody<IngestPaths['/v1/events']['post']>;
