import { type EventEnvelope, eventEnvelope } from '@hookline/core';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export type Parsed = { ok: true; value: EventEnvelope } | { ok: false; reason: string };

/** The schema registry did not answer: the record is not at fault, so its batch is read again later. */
export class SchemaRegistryUnavailable extends Error {
  override readonly name = 'SchemaRegistryUnavailable';
  constructor(
    readonly status: number,
    options: { cause: unknown },
  ) {
    super(`schema registry answered ${status}`, options);
  }
}

/** Confluent wire format: magic byte 0, a 4-byte schema id, then the encoded value. */
const magicByte = 0;

/**
 * Reads one `events` record: JSON (what ingest writes) or, from Kafka-native producers, a value in the
 * Confluent wire format (Avro etc.) decoded through the schema registry. Either way the result must be an
 * event envelope. Anything unreadable is a `reason` for the rejected topic, never an exception, so one bad
 * record cannot stall a batch; only a registry that does not answer throws `SchemaRegistryUnavailable` (the
 * batch is retried later rather than losing good events).
 */
export class EventDecoder {
  private readonly registry: SchemaRegistry | undefined;

  constructor(schemaRegistryUrl: string | undefined) {
    this.registry = schemaRegistryUrl ? new SchemaRegistry({ host: schemaRegistryUrl, retry: { retries: 2 } }) : undefined;
  }

  async parse(value: Buffer | null): Promise<Parsed> {
    if (!value || value.length === 0) return { ok: false, reason: 'empty record' };
    if (value[0] === magicByte && value.length >= 5) return this.decodeFramed(value);
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
      const status = (error as { status?: unknown }).status;
      // A ResponseError other than 404 is the registry failing (mappersmith also reports network errors as
      // responses): retry the batch. 404 (unknown schema id) and decoding errors are the record's fault.
      if (typeof status === 'number' && status !== 404 && (error as Error).name === 'ResponseError')
        throw new SchemaRegistryUnavailable(status, { cause: error });
      return { ok: false, reason: `undecodable (schema id ${value.readUInt32BE(1)}): ${(error as Error).message}` };
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
