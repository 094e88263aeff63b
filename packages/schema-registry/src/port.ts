/** What a registration answered: the registry-wide schema id and its version under the subject. */
export interface RegisteredSchema {
  id: number;
  version: number;
}

export interface SubjectVersion extends RegisteredSchema {
  subject: string;
  /** The schema text as the registry keeps it. */
  schema: string;
}

export type Compatibility = 'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

/**
 * The schema registry as Hookline uses it: event types' schemas are registered under one subject each (the
 * registry judges compatibility), looked up, and records in the Confluent wire format (magic byte 0, a 4-byte
 * schema id, the encoded value) are decoded. Failures are typed: `SchemaRegistryUnavailable`, `SchemaRefused`,
 * `SchemaNotFound`, `UndecodableRecord`.
 */
export interface SchemaRegistryPort {
  /** Registers a JSON Schema as the subject's next version (the same schema again answers its existing version). */
  registerJsonSchema(subject: string, schema: object, compatibility?: Compatibility): Promise<RegisteredSchema>;
  /** Registers an Avro schema as the subject's next version. */
  registerAvroSchema(subject: string, schema: object, compatibility?: Compatibility): Promise<RegisteredSchema>;
  /** The subject's latest version. */
  latest(subject: string): Promise<SubjectVersion>;
  /** Decodes a framed record's value with the schema its id names. */
  decode(framed: Buffer): Promise<unknown>;
}

/** Whether a record value is in the Confluent wire format (else it is plain JSON, as ingest writes). */
export function isFramed(value: Buffer): boolean {
  return value.length >= 5 && value[0] === 0;
}
