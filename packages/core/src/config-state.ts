import type { ApiKeyRecord, ConfigRecord, EndpointRecord, IncomingHookRecord, TenantRecord } from './schemas.js';

/**
 * The in-memory fold of the compacted `config` topic. Every service that needs configuration builds one from
 * offset 0 at start and keeps it current; it is a pure data structure so it can be tested without Kafka.
 */
export class ConfigState {
  readonly tenants = new Map<string, TenantRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly apiKeysByHash = new Map<string, ApiKeyRecord>();
  private readonly apiKeysById = new Map<string, ApiKeyRecord>();
  readonly incomingHooksByTokenHash = new Map<string, IncomingHookRecord>();
  private readonly incomingHooksById = new Map<string, IncomingHookRecord>();
  private readonly endpointsByTenant = new Map<string, Map<string, EndpointRecord>>();

  /** Applies one record; `value` null is a tombstone for `key`. */
  apply(key: string, value: ConfigRecord | null): void {
    const [kind, id] = splitKey(key);
    if (value === null) return this.remove(kind, id);
    switch (value.kind) {
      case 'tenant':
        this.tenants.set(value.id, value);
        break;
      case 'apiKey': {
        const previous = this.apiKeysById.get(value.id);
        if (previous) this.apiKeysByHash.delete(previous.keyHash);
        this.apiKeysById.set(value.id, value);
        this.apiKeysByHash.set(value.keyHash, value);
        break;
      }
      case 'endpoint': {
        this.endpoints.set(value.id, value);
        let byTenant = this.endpointsByTenant.get(value.tenantId);
        if (!byTenant) this.endpointsByTenant.set(value.tenantId, (byTenant = new Map()));
        byTenant.set(value.id, value);
        break;
      }
      case 'incomingHook': {
        const previous = this.incomingHooksById.get(value.id);
        if (previous) this.incomingHooksByTokenHash.delete(previous.tokenHash);
        this.incomingHooksById.set(value.id, value);
        this.incomingHooksByTokenHash.set(value.tokenHash, value);
        break;
      }
    }
  }

  apiKeyById(id: string): ApiKeyRecord | undefined {
    return this.apiKeysById.get(id);
  }

  *apiKeysOf(tenantId: string): Iterable<ApiKeyRecord> {
    for (const key of this.apiKeysById.values()) if (key.tenantId === tenantId) yield key;
  }

  incomingHookById(id: string): IncomingHookRecord | undefined {
    return this.incomingHooksById.get(id);
  }

  *incomingHooksOf(tenantId: string): Iterable<IncomingHookRecord> {
    for (const hook of this.incomingHooksById.values()) if (hook.tenantId === tenantId) yield hook;
  }

  endpointsOf(tenantId: string): Iterable<EndpointRecord> {
    return this.endpointsByTenant.get(tenantId)?.values() ?? [];
  }

  private remove(kind: string, id: string): void {
    if (kind === 'tenant') this.tenants.delete(id);
    if (kind === 'apiKey') {
      const previous = this.apiKeysById.get(id);
      if (previous) this.apiKeysByHash.delete(previous.keyHash);
      this.apiKeysById.delete(id);
    }
    if (kind === 'endpoint') {
      const previous = this.endpoints.get(id);
      if (previous) this.endpointsByTenant.get(previous.tenantId)?.delete(id);
      this.endpoints.delete(id);
    }
    if (kind === 'incomingHook') {
      const previous = this.incomingHooksById.get(id);
      if (previous) this.incomingHooksByTokenHash.delete(previous.tokenHash);
      this.incomingHooksById.delete(id);
    }
  }
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  return at < 0 ? ['', key] : [key.slice(0, at), key.slice(at + 1)];
}
