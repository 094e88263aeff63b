import { type EventEnvelope, eventEnvelope } from '@hookline/core';
import { ConfluentSchemaRegistry, isFramed, UndecodableRecord } from '@hookline/schema-registry';

export { SchemaRegistryUnavailable } from '@hookline/schema-registry';

export type Parsed = { ok: true; value: EventEnvelope } | { ok: false; reason: string };

/**
 * Reads one `events` record: JSON (what ingest writes) or, from Kafka-native producers, a value in the
 * Confluent wire format (Avro etc.) decoded through the schema registry. Either way the result must be an
 * event envelope. Anything unreadable is a `reason` for the rejected topic, never an exception, so one bad
 * record cannot stall a batch; only a registry that does not answer throws `SchemaRegistryUnavailable` (the
 * batch is retried later rather than losing good events).
 */
export class EventDecoder {
  private readonly registry: ConfluentSchemaRegistry | undefined;

  constructor(schemaRegistryUrl: string | undefined) {
    this.registry = schemaRegistryUrl ? new ConfluentSchemaRegistry({ url: schemaRegistryUrl, retries: 2 }) : undefined;
  }

  async parse(value: Buffer | null): Promise<Parsed> {
    if (!value || value.length === 0) return { ok: false, reason: 'empty record' };
    if (isFramed(value)) return this.decodeFramed(value);
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
    return envelope(json);
  }

  private async decodeFramed(value: Buffer): Promise<Parsed> {
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
    return envelope(decoded);
  }
}

function envelope(candidate: unknown): Parsed {
  const result = eventEnvelope.safeParse(candidate);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: `invalid envelope: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}` };
}
