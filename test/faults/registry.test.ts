import { createKafkaEventLog, type EventLog, type RecordPublisher } from '@hookline/kafka';
import { eventually, Receiver, startLocalInfra, stopLocalInfra } from '@hookline/testkit';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroEnvelope } from '../e2e/support/avro-envelope.js';
import { expectNothingLost, healthy, useFaultBench } from './support/bench.js';

/**
 * The schema registry killed and started again under steady load, while a Kafka-native producer writes
 * Confluent-framed (Avro) events: the JSON load loses nothing, and every framed event (written before, during and
 * after the outage) is delivered once the registry is back with its schemas (its storage is a file, not memory).
 */
const bench = useFaultBench();
const { profile } = bench;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const envelopeSchema = avroEnvelope('hookline.faults', { name: 'Tick', fields: [{ name: 'seq', type: 'int' }] });

describe('schema registry fault under load', () => {
  let log: EventLog;
  let producer: RecordPublisher;
  let receiver: Receiver;

  beforeAll(async () => {
    log = createKafkaEventLog({
      brokers: bench.infra.urls.kafkaBrokers.split(','),
      clientId: 'faults-native',
      logger: pino({ level: 'silent' }),
    });
    producer = await log.publisher();
    receiver = await Receiver.start();
    await bench.tenant.createEndpoint({ name: 'native', url: `${receiver.url}/native`, events: ['native.*'] });
  });
  afterAll(async () => {
    await producer?.close();
    await log?.close();
    await receiver?.close();
  });

  it('schema registry killed and started again', async () => {
    const registry = new SchemaRegistry({ host: bench.infra.urls.schemaRegistryUrl! });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(envelopeSchema) },
      { subject: `${bench.hookline.namespace}.events-value` },
    );
    const framed = (seq: number) =>
      registry.encode(id, {
        id: `evt_native_${seq}`,
        type: 'native.tick',
        tenantId: bench.tenant.id,
        timestamp: new Date().toISOString(),
        data: { seq },
      });
    // Encoded up front: the producer's own registry client is not what this scenario tests.
    const values = await Promise.all(Array.from({ length: 30 }, (_, seq) => framed(seq)));
    const write = (from: number, to: number) =>
      producer.publish([
        { topic: `${bench.hookline.namespace}.events`, records: values.slice(from, to).map((value) => ({ key: bench.tenant.id, value })) },
      ]);

    const summary = await bench.run({
      name: 'registry-restart',
      events: profile.events,
      perSecond: profile.perSecond,
      endpoints: healthy(profile.endpoints),
      fault: async () => {
        await write(0, 10);
        await stopLocalInfra('registry', { ...bench.infra.local, kill: true });
        await write(10, 20);
        await sleep(3_000);
        await startLocalInfra('registry', bench.infra.local);
        await write(20, 30);
      },
    });
    expectNothingLost(summary);
    const seqs = () => new Set(receiver.requests.map((r) => JSON.parse(r.body).data.seq as number));
    await eventually(async () => seqs().size === values.length, 120_000, 500);
    expect([...seqs()].sort((a, b) => a - b)).toEqual(values.map((_, seq) => seq));
  });
});
