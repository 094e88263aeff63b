import { ApiError } from '@hookline/core';

const contentType = 'application/vnd.schemaregistry.v1+json';

/** What a registration answered: the registry-wide schema id and its version under the subject. */
export interface RegisteredSchema {
  id: number;
  version: number;
}

/**
 * A minimal client for the Confluent-compatible REST API (Apicurio's ccompat). Plain `fetch`, because the
 * admin API needs only three calls and must map the registry's answers onto our error codes itself.
 */
export class SchemaRegistryClient {
  constructor(private readonly baseUrl: string | undefined) {}

  /**
   * Registers `schema` (JSON Schema) as the subject's next version under BACKWARD compatibility: the registry
   * decides whether the change is compatible, and its refusal becomes our 409 with its reason.
   */
  async registerJsonSchema(subject: string, schema: unknown): Promise<RegisteredSchema> {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    const body = { schemaType: 'JSON', schema: JSON.stringify(schema) };
    await this.call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'BACKWARD' });
    const { id } = (await this.call('POST', `${path}/versions`, body)) as { id: number };
    // Registration answers only the id; looking the schema up under the subject gives its version (also
    // when the same schema was registered before and the registry returned the existing one).
    const found = (await this.call('POST', path, body)) as { id: number; version: number };
    return { id, version: found.version };
  }

  private async call(method: string, path: string, body: unknown): Promise<unknown> {
    if (!this.baseUrl) throw new ApiError('unavailable', 'no schema registry is configured (SCHEMA_REGISTRY_URL)');
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { 'content-type': contentType, accept: contentType },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ApiError('unavailable', `schema registry unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text.slice(0, 500) };
    }
    if (response.ok) return json;
    const message = (json as { message?: unknown }).message;
    const reason = typeof message === 'string' ? message : `HTTP ${response.status}`;
    if (response.status === 409) throw new ApiError('conflict', `schema refused by the registry: ${reason}`, [{ path: 'schema', message: reason }]);
    if (response.status === 422) throw new ApiError('validation_failed', `schema refused by the registry: ${reason}`, [{ path: 'schema', message: reason }]);
    throw new ApiError('unavailable', `schema registry answered ${response.status}: ${reason}`);
  }
}
