import { createKafkaEventLog, type EventLog, type RecordPublisher, type RejectedValue, recordJson, TopicReader } from '@hookline/kafka';
import { type Receiver, requestJson } from '@hookline/testkit';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { avroEnvelope } from './support/avro-envelope.js';
import { useHookline } from './support/harness.js';

/**
 * The event-type catalog: schemas evolve under the real registry's BACKWARD rule, ingest enforces the
 * catalog, and fanout reads Avro events from Kafka-native producers.
 */
// An unknown schema id is retried (the registry may catch up) before the record is given up on: briefly here.
const ctx = useHookline({ FANOUT_UNKNOWN_SCHEMA_GIVE_UP_MS: '3000' });
const infra = inject('infra');

const post = (type: string, data: unknown) =>
  requestJson('POST', `${ctx.hookline.ingestUrl}/v1/events`, { token: ctx.tenant.apiKey, body: { type, data } });

// Closed objects (`additionalProperties: false`): for Apicurio, adding a property to an open object narrows
// what it accepts and is refused; to a closed one it widens, which BACKWARD allows.
const v1 = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false };
const v2 = { ...v1, properties: { ...v1.properties, note: { type: 'string' } } };

describe.skipIf(!infra.schemaRegistryUrl)('event types with schemas', () => {
  it('registers versions the registry accepts and answers 409 with its reason otherwise', async () => {
    const created = await ctx.tenant.admin('POST', '/event-types', { name: 'order.placed', description: 'an order', schema: v1 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'order.placed', schemaVersion: 1, schema: v1 });

    const compatible = await ctx.tenant.admin('PUT', '/event-types/order.placed', { schema: v2 });
    expect(compatible.status).toBe(200);
    expect(compatible.body.schemaVersion).toBe(2);

    const newRequired = await ctx.tenant.admin('PUT', '/event-types/order.placed', { schema: { ...v2, required: ['id', 'note'] } });
    expect({ status: newRequired.status, code: newRequired.body.error?.code }).toEqual({ status: 409, code: 'conflict' });
    expect(newRequired.body.error.message).toMatch(/REQUIRED_PROPERTIES_MEMBER_ADDED/);
    const typeChanged = await ctx.tenant.admin('PUT', '/event-types/order.placed', {
      schema: { ...v2, properties: { ...v2.properties, id: { type: 'number' } } },
    });
    expect({ status: typeChanged.status, code: typeChanged.body.error?.code }).toEqual({ status: 409, code: 'conflict' });
    expect(typeChanged.body.error.message).toMatch(/TYPE_CHANGED/);

    const read = await ctx.tenant.admin('GET', '/event-types/order.placed');
    expect(read.body).toMatchObject({ schemaVersion: 2, schema: v2, description: 'an order' });
    const list = await ctx.tenant.admin('GET', '/event-types');
    expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(['order.placed']);
    expect((await ctx.tenant.admin('POST', '/event-types', { name: 'order.placed' })).status).toBe(409);
    expect((await ctx.tenant.admin('POST', '/event-types', { name: 'bad name' })).status).toBe(422);
    // A schema the registry client's own compiler refuses is the caller's input (422), not a registry outage (503).
    const unknownKeyword = await ctx.tenant.admin('POST', '/event-types', { name: 'odd.schema', schema: { '': {} } });
    expect({ status: unknownKeyword.status, code: unknownKeyword.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
  });

  it('validates ingested events against the catalog', async () => {
    await ctx.tenant.admin('POST', '/event-types', { name: 'order.shipped' });
    expect((await post('order.placed', { id: 'o_1', note: 'fragile' })).status).toBe(202);
    expect((await post('order.shipped', { anything: true })).status).toBe(202);

    const invalid = await post('order.placed', { id: 42 });
    expect({ status: invalid.status, code: invalid.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
    expect(invalid.body.error.details[0]).toMatchObject({ path: 'data.id', keyword: 'type' });

    const unknown = await post('order.lost', { id: 'o_1' });
    expect({ status: unknown.status, code: unknown.body.error?.code }).toEqual({ status: 422, code: 'unknown_event_type' });

    const batch = await requestJson('POST', `${ctx.hookline.ingestUrl}/v1/events/batch`, {
      token: ctx.tenant.apiKey,
      body: {
        events: [
          { type: 'order.placed', data: { id: 'o_2' } },
          { type: 'order.placed', data: {} },
        ],
      },
    });
    expect({ status: batch.status, code: batch.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
    expect(batch.body.error.details[0].path).toBe('events.1.data');

    // Deleting a type takes it out of the catalog (tombstone): it is unknown again.
    expect((await ctx.tenant.admin('DELETE', '/event-types/order.shipped')).status).toBe(204);
    expect((await post('order.shipped', {})).body.error?.code).toBe('unknown_event_type');
  });
});

describe.skipIf(!infra.schemaRegistryUrl)('Avro events from Kafka-native producers', () => {
  // A Kafka-native producer: records written straight to `events`, as another team's service would.
  let log: EventLog;
  let producer: RecordPublisher;
  let registry: SchemaRegistry;
  let receiver: Receiver;
  const envelopeSchema = avroEnvelope('hookline.test', {
    name: 'Payment',
    fields: [
      { name: 'amount', type: 'int' },
      { name: 'currency', type: 'string' },
    ],
  });

  beforeAll(async () => {
    registry = new SchemaRegistry({ host: infra.schemaRegistryUrl! });
    log = createKafkaEventLog({ brokers: infra.kafkaBrokers.split(','), clientId: 'native-producer', logger: pino({ level: 'silent' }) });
    producer = await log.publisher();
    receiver = await ctx.receiver();
    // The catalog of this file's tenant is not empty, and Kafka-native events get ingest's rules: the type is listed.
    expect((await ctx.tenant.admin('POST', '/event-types', { name: 'payment.received' })).status).toBe(201);
    await ctx.tenant.createEndpoint({ url: receiver.url, events: ['payment.*'] });
  });
  afterAll(async () => {
    await producer?.close();
    await log?.close();
  });

  it('delivers decoded events as JSON, and a garbage framed record does not block the next one', async () => {
    const { id: schemaId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(envelopeSchema) },
      { subject: `${ctx.hookline.namespace}.events-value` },
    );
    const event = (id: string, amount: number) => ({
      id,
      type: 'payment.received',
      tenantId: ctx.tenant.id,
      timestamp: new Date().toISOString(),
      data: { amount, currency: 'EUR' },
    });
    const topic = `${ctx.hookline.namespace}.events`;
    // Magic byte 0, then a schema id no registry holds.
    const garbage = Buffer.concat([Buffer.from([0]), Buffer.from([0x7f, 0xff, 0xff, 0xf0]), Buffer.from('not avro')]);
    await producer.publish([
      { topic, records: [{ key: ctx.tenant.id, value: await registry.encode(schemaId, event('evt_avro_1', 100)) }] },
    ]);
    await producer.publish([{ topic, records: [{ key: ctx.tenant.id, value: garbage }] }]);
    await producer.publish([
      { topic, records: [{ key: ctx.tenant.id, value: await registry.encode(schemaId, event('evt_avro_2', 250)) }] },
    ]);

    const requests = await receiver.waitForRequests(2, 60_000);
    const bodies = requests.map((r) => JSON.parse(r.body)).sort((a, b) => a.data.amount - b.data.amount);
    expect(bodies).toEqual([
      { type: 'payment.received', timestamp: expect.any(String), data: { amount: 100, currency: 'EUR' } },
      { type: 'payment.received', timestamp: expect.any(String), data: { amount: 250, currency: 'EUR' } },
    ]);

    // The garbage record went to `rejected`, with why.
    const rejectedTopic = `${ctx.hookline.namespace}.rejected`;
    const reader = await TopicReader.start(log, [rejectedTopic], `${ctx.hookline.namespace}-test-rejected`);
    let reasons: string[];
    try {
      reasons = (await reader.read(rejectedTopic, 1)).map((r) => recordJson<RejectedValue>(r).reason);
    } finally {
      await reader.stop();
    }
    expect(reasons).toEqual([expect.stringMatching(/^undecodable \(schema id 2147483632\)/)]);
  });
});
