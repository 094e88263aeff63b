/** A field of an Avro record schema. */
interface AvroField {
  name: string;
  type: unknown;
}

/**
 * The Avro schema of Hookline's event envelope, with `data` as the given record: what the tests' Kafka-native
 * producers register before writing Confluent-framed events.
 */
export function avroEnvelope(namespace: string, data: { name: string; fields: AvroField[] }) {
  return {
    type: 'record',
    name: 'Envelope',
    namespace,
    fields: [
      { name: 'id', type: 'string' },
      { name: 'type', type: 'string' },
      { name: 'tenantId', type: 'string' },
      { name: 'timestamp', type: 'string' },
      { name: 'data', type: { type: 'record', ...data } },
    ],
  };
}
