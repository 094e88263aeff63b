import {
  type AdminClient,
  type CreatedWebhook,
  type CreateWebhookInput,
  type EventInput,
  type IngestClient,
  ok,
  type WebhookStats,
} from '@hookline/api-client';
import { adminApi, ingestApi, requestJson } from './api.js';
import type { Hookline } from './services.js';

/**
 * A tenant with an owner key, and shortcuts for what tests do with it. `api` and `ingestApi` are the typed
 * clients (generated from the OpenAPI documents); `admin()` stays the raw call for tests of what the API does
 * with unusual requests.
 */
export class TestTenant {
  readonly api: AdminClient;
  readonly ingestApi: IngestClient;

  private constructor(
    readonly hookline: Hookline,
    readonly apiKey: string,
    readonly id: string,
  ) {
    this.api = adminApi(hookline.configApiUrl, apiKey);
    this.ingestApi = ingestApi(hookline.ingestUrl, apiKey);
  }

  /** Creates a tenant with the operator token; throws an `ApiError` unless the API accepted it. */
  static async create(hookline: Hookline, name = 'Test tenant'): Promise<TestTenant> {
    const created = await ok(adminApi(hookline.configApiUrl, hookline.rootToken).POST('/api/admin/tenants', { body: { name } }));
    return new TestTenant(hookline, created.apiKey.key, created.tenant.id);
  }

  /** Creates an endpoint and returns it with its secret; throws an `ApiError` unless the API accepted it. */
  async createEndpoint(body: Partial<CreateWebhookInput> | Record<string, unknown>): Promise<CreatedWebhook> {
    // Tests pass loosely typed bodies (profiles and schedules as plain strings); the API validates them.
    const input = { name: 'endpoint', events: ['*'], ...body } as CreateWebhookInput;
    return ok(this.api.POST('/api/admin/webhooks', { body: input }));
  }

  /** A raw call to the admin API (any method, path relative to `/api/admin`, untyped answer). */
  admin(method: string, path: string, body?: unknown) {
    return requestJson(method, `${this.hookline.configApiUrl}/api/admin${path}`, {
      token: this.apiKey,
      ...(body === undefined ? {} : { body }),
    });
  }

  /** Posts an event and returns its id; throws an `ApiError` unless ingest accepted it. */
  async postEvent(type: string, data: unknown, extra: Record<string, unknown> = {}): Promise<string> {
    const accepted = await ok(this.ingestApi.POST('/v1/events', { body: { type, data, ...extra } as EventInput }));
    return accepted.id;
  }

  async stats(endpointId: string): Promise<WebhookStats> {
    return ok(this.api.GET('/api/admin/webhooks/{id}/stats', { params: { path: { id: endpointId } } }));
  }
}
