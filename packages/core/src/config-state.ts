import type {
  AlertSettingsRecord,
  ApiKeyRecord,
  ConfigRecord,
  EndpointRecord,
  EventTypeRecord,
  IncomingHookRecord,
  ScheduleRecord,
  TenantRecord,
} from './schemas.js';

/** Records found by id and by the hash of their secret (API keys, incoming-hook tokens). */
class SecretIndex<T extends { id: string; tenantId: string }> {
  readonly byId = new Map<string, T>();
  readonly byHash = new Map<string, T>();

  constructor(private readonly hashOf: (record: T) => string) {}

  set(record: T): void {
    this.delete(record.id);
    this.byId.set(record.id, record);
    this.byHash.set(this.hashOf(record), record);
  }

  delete(id: string): void {
    const previous = this.byId.get(id);
    if (previous) this.byHash.delete(this.hashOf(previous));
    this.byId.delete(id);
  }

  *ofTenant(tenantId: string): Iterable<T> {
    for (const record of this.byId.values()) if (record.tenantId === tenantId) yield record;
  }
}

/** A record's version; records written before versions existed count as 0. */
export function versionOf(record: ConfigRecord): number {
  return record.version ?? 0;
}

/**
 * The in-memory fold of the compacted `config` topic. Every service that needs configuration builds one from
 * offset 0 at start and keeps it current; it is a pure data structure so it can be tested without Kafka.
 *
 * Writes are compare-and-set on a per-key version, decided here, by the fold every reader runs over the same
 * totally ordered topic, so every process agrees on the winner without talking to the others. A record with
 * `version` n is applied only on top of version n-1 of its key: two writers that read version 3 both write 4,
 * the first in the log wins and the second is ignored everywhere (its writer learns so and retries or answers
 * 409). A key this fold has never seen takes any version (its earlier records may have been compacted away); a
 * deleted key takes only a creation (version 1). Records without a version (the previous shape) and tombstones
 * apply unconditionally, as they always did. See docs/consistency.md.
 */
export class ConfigState {
  readonly tenants = new Map<string, TenantRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  /** Alert settings by tenant id (absent: the defaults, alerts off). */
  readonly alertSettings = new Map<string, AlertSettingsRecord>();
  private readonly apiKeys = new SecretIndex<ApiKeyRecord>((k) => k.keyHash);
  private readonly incomingHooks = new SecretIndex<IncomingHookRecord>((h) => h.tokenHash);
  private readonly endpointsByTenant = new Map<string, Map<string, EndpointRecord>>();
  /** Event-type catalogs: tenant id → name → record. */
  private readonly eventTypes = new Map<string, Map<string, EventTypeRecord>>();
  /** The current record of every key, for the version check. */
  private readonly byKey = new Map<string, ConfigRecord>();
  /** Keys whose last record was a tombstone: only a creation brings them back. */
  private readonly deletedKeys = new Set<string>();
  /** Scheduled exports by id. */
  readonly schedules = new Map<string, ScheduleRecord>();

  /** The current record of `key` (`<kind>:<id>`), whatever its kind. */
  get(key: string): ConfigRecord | undefined {
    return this.byKey.get(key);
  }

  /** Whether `value` would be applied on top of what `key` holds now (the compare-and-set rule above). */
  accepts(key: string, value: ConfigRecord): boolean {
    if (value.version === undefined) return true;
    const current = this.byKey.get(key);
    if (current) return value.version === versionOf(current) + 1;
    if (this.deletedKeys.has(key)) return value.version === 1;
    return true;
  }

  /**
   * Applies one record (`value` null is a tombstone for `key`); false when the version check ignores it (a write
   * made from a version that is no longer the current one).
   */
  apply(key: string, value: ConfigRecord | null): boolean {
    const [kind, id] = splitKey(key);
    if (value === null) {
      this.remove(kind, id);
      this.byKey.delete(key);
      this.deletedKeys.add(key);
      return true;
    }
    if (!this.accepts(key, value)) return false;
    this.byKey.set(key, value);
    this.deletedKeys.delete(key);
    this.index(value);
    return true;
  }

  private index(value: ConfigRecord): void {
    switch (value.kind) {
      case 'tenant':
        this.tenants.set(value.id, value);
        break;
      case 'apiKey':
        this.apiKeys.set(value);
        break;
      case 'alertSettings':
        this.alertSettings.set(value.tenantId, value);
        break;
      case 'incomingHook':
        this.incomingHooks.set(value);
        break;
      case 'schedule':
        this.schedules.set(value.id, value);
        break;
      case 'eventType': {
        let byName = this.eventTypes.get(value.tenantId);
        if (!byName) {
          byName = new Map();
          this.eventTypes.set(value.tenantId, byName);
        }
        byName.set(value.name, value);
        break;
      }
      case 'endpoint': {
        this.endpoints.set(value.id, value);
        let byTenant = this.endpointsByTenant.get(value.tenantId);
        if (!byTenant) {
          byTenant = new Map();
          this.endpointsByTenant.set(value.tenantId, byTenant);
        }
        byTenant.set(value.id, value);
        break;
      }
    }
  }

  get apiKeysByHash(): ReadonlyMap<string, ApiKeyRecord> {
    return this.apiKeys.byHash;
  }

  apiKeyById(id: string): ApiKeyRecord | undefined {
    return this.apiKeys.byId.get(id);
  }

  apiKeysOf(tenantId: string): Iterable<ApiKeyRecord> {
    return this.apiKeys.ofTenant(tenantId);
  }

  get incomingHooksByTokenHash(): ReadonlyMap<string, IncomingHookRecord> {
    return this.incomingHooks.byHash;
  }

  incomingHookById(id: string): IncomingHookRecord | undefined {
    return this.incomingHooks.byId.get(id);
  }

  incomingHooksOf(tenantId: string): Iterable<IncomingHookRecord> {
    return this.incomingHooks.ofTenant(tenantId);
  }

  eventType(tenantId: string, name: string): EventTypeRecord | undefined {
    return this.eventTypes.get(tenantId)?.get(name);
  }

  eventTypesOf(tenantId: string): Iterable<EventTypeRecord> {
    return this.eventTypes.get(tenantId)?.values() ?? [];
  }

  *schedulesOf(tenantId: string): Iterable<ScheduleRecord> {
    for (const schedule of this.schedules.values()) if (schedule.tenantId === tenantId) yield schedule;
  }

  endpointsOf(tenantId: string): Iterable<EndpointRecord> {
    return this.endpointsByTenant.get(tenantId)?.values() ?? [];
  }

  private remove(kind: string, id: string): void {
    if (kind === 'tenant') this.tenants.delete(id);
    if (kind === 'apiKey') this.apiKeys.delete(id);
    if (kind === 'alertSettings') this.alertSettings.delete(id);
    if (kind === 'incomingHook') this.incomingHooks.delete(id);
    if (kind === 'schedule') this.schedules.delete(id);
    if (kind === 'eventType') {
      // The id is `<tenantId>:<name>`; tenant ids hold no ':' and names cannot.
      const at = id.indexOf(':');
      const byName = this.eventTypes.get(id.slice(0, at));
      byName?.delete(id.slice(at + 1));
      if (byName?.size === 0) this.eventTypes.delete(id.slice(0, at));
    }
    if (kind === 'endpoint') {
      const previous = this.endpoints.get(id);
      if (previous) this.endpointsByTenant.get(previous.tenantId)?.delete(id);
      this.endpoints.delete(id);
    }
  }
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  return at < 0 ? ['', key] : [key.slice(0, at), key.slice(at + 1)];
}
