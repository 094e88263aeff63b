import { type CatalogState, EventCatalog, type Refusal } from '@hookline/catalog';
import { type EventEnvelope, eventEnvelope, eventOriginHeader } from '@hookline/core';
import type { LogRecord } from '@hookline/kafka';
import { ConfluentSchemaRegistry, isFramed, UndecodableRecord } from '@hookline/schema-registry';

export { SchemaRegistryUnavailable } from '@hookline/schema-registry';

export type Parsed = { ok: true; value: EventEnvelope } | { ok: false; reason: string };

export interface EventDecoderOptions {
  /** Confluent-compatible registry for framed (Avro etc.) records; without it such records are rejected. */
  schemaRegistryUrl?: string | undefined;
  /** Tenant-bound input topics (topic → tenant): their records are that tenant's whatever their body says. */
  tenantOf?: ReadonlyMap<string, string>;
}

/** The parts of a record the decoder reads. */
export type EventRecordIn = Pick<LogRecord, 'topic' | 'value' | 'headers'>;

/**
 * Reads one record of `events` or of a tenant-bound input topic: JSON (what ingest writes) or, from Kafka-native
 * producers, a value in the Confluent wire format (Avro etc.) decoded through the schema registry. Either way
 * the result must be an event envelope. A Kafka-native record (any record without Hookline's origin marker, and
 * every record of a tenant-bound topic) must also pass ingest's rules (`@hookline/catalog`: depth, reserved
 * `hookline.*` types, the tenant's catalog and the type's schema). Anything unreadable or refused is a `reason`
 * for the rejected topic, never an exception, so one bad record cannot stall a batch; only a registry that does
 * not answer throws `SchemaRegistryUnavailable` (the batch is retried later rather than losing good events).
 */
export class EventDecoder {
  private readonly registry: ConfluentSchemaRegistry | undefined;
  private readonly tenantOf: ReadonlyMap<string, string>;
  private readonly catalog = new EventCatalog();

  constructor({ schemaRegistryUrl, tenantOf = new Map() }: EventDecoderOptions = {}) {
    this.registry = schemaRegistryUrl ? new ConfluentSchemaRegistry({ url: schemaRegistryUrl, retries: 2 }) : undefined;
    this.tenantOf = tenantOf;
  }

  async parse(record: EventRecordIn, state: CatalogState): Promise<Parsed> {
    const { value } = record;
    if (!value || value.length === 0) return { ok: false, reason: 'empty record' };
    const framed = isFramed(value);
    const decoded = framed ? await this.decodeFramed(value) : parseJson(value);
    if (!decoded.ok) return decoded;
    const boundTenant = this.tenantOf.get(record.topic);
    // Ingest and the projector mark what they write; a marked JSON record on `events` was checked where it entered.
    const native = boundTenant !== undefined || framed || record.headers[eventOriginHeader] !== 'hookline';
    if (!native) return envelope(decoded.value);
    const parsed = envelope(boundTenant === undefined ? decoded.value : withTenant(decoded.value, boundTenant));
    if (!parsed.ok) return parsed;
    const refused = this.catalog.check(state, parsed.value.tenantId, parsed.value);
    return refused ? { ok: false, reason: refusalReason(refused) } : parsed;
  }

  private async decodeFramed(value: Buffer): Promise<{ ok: true; value: unknown } | { ok: false; reason: string }> {
    if (!this.registry) return { ok: false, reason: 'no schema registry configured' };
    let decoded: unknown;
    try {
      decoded = await this.registry.decode(value);
    } catch (error) {
      // Only a registry that fails throws on (the batch is read again); an unknown id or bad bytes are the record's fault.
      if (error instanceof UndecodableRecord) return { ok: false, reason: error.message };
      throw error;
    }
    // Avro has no "absent": an optional field is a union with null, which the envelope spells as missing.
    if (decoded && typeof decoded === 'object' && (decoded as { channels?: unknown }).channels === null) {
      const { channels: _none, ...rest } = decoded as Record<string, unknown>;
      decoded = rest;
    }
    return { ok: true, value: decoded };
  }
}

function parseJson(value: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(value.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
}

/** A tenant-bound topic's record belongs to its tenant: a `tenantId` in the body is overwritten, and may be left out. */
function withTenant(candidate: unknown, tenantId: string): unknown {
  return candidate && typeof candidate === 'object' && !Array.isArray(candidate) ? { ...candidate, tenantId } : candidate;
}

/** The refusal as one line for the rejected record: the rule and its first few problems. */
function refusalReason(refused: Refusal): string {
  const problems = refused.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`);
  return `${refused.code}: ${refused.message}${problems.length ? ` (${problems.join('; ')})` : ''}`.slice(0, 1000);
}

function envelope(candidate: unknown): Parsed {
  const result = eventEnvelope.safeParse(candidate);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: `invalid envelope: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}` };
}
