import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createKafkaEventLog, type EventLog, type RecordPublisher } from '@hookline/kafka';
import { eventually, type LocalInfraOptions, type Receiver, repoRoot, startLocalInfra, stopLocalInfra } from '@hookline/testkit';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { avroEnvelope } from './support/avro-envelope.js';
import { useHookline } from './support/harness.js';
import { metricValue } from './support/metrics.js';

/**
 * Schemas survive a registry restart: this file runs its own registry (own port and data directory) so it can
 * restart it without touching the shared one, and points the services at it.
 */
const registryInfra: LocalInfraOptions = {
  dataDir: join(repoRoot, '.hookline', 'durable-schemas-e2e'),
  ports: { schemaRegistry: 28081 },
};
const registryUrl = `http://127.0.0.1:${registryInfra.ports!.schemaRegistry}/apis/ccompat/v7`;
const infra = inject('infra');

beforeAll(async () => {
  rmSync(registryInfra.dataDir!, { recursive: true, force: true });
  await startLocalInfra('registry', registryInfra);
}, 120_000);
afterAll(async () => {
  await stopLocalInfra('registry', registryInfra);
  rmSync(registryInfra.dataDir!, { recursive: true, force: true });
});

const ctx = useHookline({ SCHEMA_REGISTRY_URL: registryUrl });
const registryRetries = (reason: string) =>
  metricValue(ctx.hookline, 'fanout', 'hookline_fanout_schema_registry_retries_total', { reason });

const envelopeSchema = (namespace: string) => avroEnvelope(namespace, { name: 'Shipment', fields: [{ name: 'parcel', type: 'string' }] });

describe('schemas in a registry that restarts', () => {
  let log: EventLog;
  let producer: RecordPublisher;
  let registry: SchemaRegistry;
  let receiver: Receiver;

  beforeAll(async () => {
    registry = new SchemaRegistry({ host: registryUrl });
    log = createKafkaEventLog({ brokers: infra.kafkaBrokers.split(','), clientId: 'native-producer', logger: pino({ level: 'silent' }) });
    producer = await log.publisher();
    receiver = await ctx.receiver();
    await ctx.tenant.createEndpoint({ url: receiver.url, events: ['shipment.*'] });
  });
  afterAll(async () => {
    await producer?.close();
    await log?.close();
  });

  const event = (id: string, parcel: string) => ({
    id,
    type: 'shipment.sent',
    tenantId: ctx.tenant.id,
    timestamp: new Date().toISOString(),
    data: { parcel },
  });
  const produce = (value: Buffer) =>
    producer.publish([{ topic: `${ctx.hookline.namespace}.events`, records: [{ key: ctx.tenant.id, value }] }]);
  const parcels = () => receiver.requests.map((r) => JSON.parse(r.body).data.parcel as string);

  it('delivers a framed record written while the registry was down, after it restarts with its schemas', async () => {
    const subject = `${ctx.hookline.namespace}.events-value`;
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(envelopeSchema('hookline.a')) }, { subject });
    const framed = await registry.encode(id, event('evt_restart', 'p-restart'));

    await stopLocalInfra('registry', { ...registryInfra, kill: true });
    await produce(framed);
    // Fanout cannot decode it now: it waits (and says so on its metric) instead of rejecting it.
    await eventually(async () => (await registryRetries('unavailable')) > 0);
    expect(receiver.requests).toHaveLength(0);

    await startLocalInfra('registry', registryInfra);
    await eventually(async () => parcels().includes('p-restart'), 90_000, 200);

    // Ids go on from where they were (an old id never names another schema).
    const next = await new SchemaRegistry({ host: registryUrl }).register(
      { type: SchemaType.AVRO, schema: JSON.stringify(envelopeSchema('hookline.b')) },
      { subject: `${subject}-other` },
    );
    expect(next.id).toBeGreaterThan(id);
  });

  it('retries a schema id the registry does not know yet, and delivers once it does', async () => {
    const fresh = new SchemaRegistry({ host: registryUrl });
    const { id } = await fresh.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(envelopeSchema('hookline.c')) },
      { subject: `${ctx.hookline.namespace}.events-c` },
    );
    // The same bytes under the next id, which no schema has yet (a producer ahead of the registry it writes to).
    const framed = await fresh.encode(id, event('evt_ahead', 'p-ahead'));
    framed.writeUInt32BE(id + 1, 1);
    const before = await registryRetries('unknown_schema_id');
    await produce(framed);
    await eventually(async () => (await registryRetries('unknown_schema_id')) > before);
    const { id: registered } = await fresh.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(envelopeSchema('hookline.d')) },
      { subject: `${ctx.hookline.namespace}.events-d` },
    );
    expect(registered).toBe(id + 1);
    await eventually(async () => parcels().includes('p-ahead'), 90_000, 200);
  });
});
