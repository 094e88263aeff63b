import { requestJson } from './api.js';
import type { Hookline } from './services.js';

/** A tenant with an owner key, and shortcuts for what tests do with it. */
export class TestTenant {
  private constructor(
    readonly hookline: Hookline,
    readonly apiKey: string,
    readonly id: string,
  ) {}

  static async create(hookline: Hookline, name = 'Test tenant'): Promise<TestTenant> {
    const response = await requestJson('POST', `${hookline.configApiUrl}/api/admin/tenants`, { token: hookline.rootToken, body: { name } });
    if (response.status !== 201) throw new Error(`tenant creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return new TestTenant(hookline, response.body.apiKey.key, response.body.tenant.id);
  }

  /** Creates an endpoint and returns it with its secret; throws unless the API answered 201. */
  async createEndpoint(body: Record<string, unknown>): Promise<{ id: string; secret: string } & Record<string, any>> {
    const response = await this.admin('POST', '/webhooks', { name: 'endpoint', events: ['*'], ...body });
    if (response.status !== 201) throw new Error(`endpoint creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  admin(method: string, path: string, body?: unknown) {
    return requestJson(method, `${this.hookline.configApiUrl}/api/admin${path}`, { token: this.apiKey, ...(body === undefined ? {} : { body }) });
  }

  /** Posts an event and returns its id; throws unless ingest answered 202. */
  async postEvent(type: string, data: unknown, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await requestJson('POST', `${this.hookline.ingestUrl}/v1/events`, { token: this.apiKey, body: { type, data, ...extra } });
    if (response.status !== 202) throw new Error(`event rejected: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id;
  }

  async stats(endpointId: string): Promise<any> {
    return (await this.admin('GET', `/webhooks/${endpointId}/stats`)).body;
  }
}
