import { type EventLog, LARGE_RECORDS } from '@hookline/kafka';

/**
 * Tenant-bound input topics for Kafka-native producers: `<prefix>native.<tenantId>`, one per tenant the operator
 * names. A broker ACL grants WRITE on one such topic to one producer principal, and fanout takes every record
 * on it as that tenant's whatever its body says, so a producer can only ever speak for its own tenant.
 */
export class TenantTopics {
  /** Topic name → the tenant its records belong to. */
  readonly tenantOf: ReadonlyMap<string, string>;

  constructor(prefix: string, tenantIds: readonly string[]) {
    this.tenantOf = new Map(tenantIds.map((tenantId) => [tenantInputTopic(prefix, tenantId), tenantId]));
  }

  get topics(): string[] {
    return [...this.tenantOf.keys()];
  }

  /** Creates missing ones like `events` (same partitions, large records), so a producer can move between them freely. */
  async ensure(log: EventLog, partitions: number): Promise<void> {
    if (this.tenantOf.size === 0) return;
    await log.ensureTopics(this.topics.map((topic) => ({ topic, numPartitions: partitions, configEntries: [LARGE_RECORDS] })));
  }
}

/** The input topic bound to one tenant. */
export function tenantInputTopic(prefix: string, tenantId: string): string {
  return `${prefix}native.${tenantId}`;
}
