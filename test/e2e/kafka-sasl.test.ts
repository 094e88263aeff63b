import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { configKey } from '@hookline/core';
import { createKafkaEventLog, type EventLog, type KafkaSecurity } from '@hookline/kafka';
import {
  Hookline,
  kafkaTool,
  type LocalInfraOptions,
  Receiver,
  repoRoot,
  startLocalInfra,
  stopLocalInfra,
  TestTenant,
} from '@hookline/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The services through a broker that requires SASL (SCRAM-SHA-512) and authorizes with ACLs: a broker of this
 * file's own (ports 29092/29093, data under .hookline-sasl/, formatted fresh), never the shared one. The
 * services' principal `hookline` has ACLs on its topic and group prefixes only; `tenantfeed` (a Kafka-native
 * producer) may write the `events` topic and nothing else.
 */
const users = { admin: 'admin-secret', hookline: 'hookline-secret', tenantfeed: 'tenantfeed-secret' };
const broker: LocalInfraOptions = {
  dataDir: join(repoRoot, '.hookline-sasl'),
  ports: { kafka: 29092, kafkaController: 29093 },
  kafkaSasl: { users, acls: true },
};
const namespace = `sasl${Date.now().toString(36)}`;
const scram = (username: keyof typeof users): KafkaSecurity => ({
  sasl: { mechanism: 'scram-sha-512', username, password: users[username] },
});

let hookline: Hookline;
let receiver: Receiver;
let brokers: string;
const logs: EventLog[] = [];
const clientLog = (security: KafkaSecurity) => {
  const log = createKafkaEventLog({ brokers: brokers.split(','), clientId: 'sasl-test', logger: pino({ level: 'silent' }), security });
  logs.push(log);
  return log;
};

beforeAll(async () => {
  await stopLocalInfra('kafka', broker);
  rmSync(broker.dataDir!, { recursive: true, force: true });
  brokers = (await startLocalInfra('kafka', broker)).kafkaBrokers;
  // The services' principal: everything on its own topics and consumer groups (views and range reads use `hookline-` groups).
  await kafkaTool(
    [
      'acls',
      '--add',
      '--allow-principal',
      'User:hookline',
      '--operation',
      'All',
      '--resource-pattern-type',
      'prefixed',
      '--topic',
      `${namespace}.`,
      '--group',
      `${namespace}-`,
      '--group',
      'hookline-',
    ],
    broker,
  );
  await kafkaTool(
    [
      'acls',
      '--add',
      '--allow-principal',
      'User:tenantfeed',
      '--operation',
      'Write',
      '--operation',
      'Describe',
      '--topic',
      `${namespace}.events`,
    ],
    broker,
  );
  [hookline, receiver] = await Promise.all([
    Hookline.start({
      infra: { ...inject('infra'), kafkaBrokers: brokers },
      namespace,
      env: {
        HOOKLINE_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        HOOKLINE_KAFKA_SASL_USERNAME: 'hookline',
        HOOKLINE_KAFKA_SASL_PASSWORD: users.hookline,
      },
    }),
    Receiver.start(),
  ]);
});
afterAll(async () => {
  await Promise.all([hookline?.stop(), receiver?.close(), ...logs.map((log) => log.close())]);
  await stopLocalInfra('kafka', broker);
});

describe('Kafka with SASL and ACLs', () => {
  it('runs the services through the SASL listener: event in, signed delivery out', async () => {
    const tenant = await TestTenant.create(hookline);
    await tenant.createEndpoint({ url: `${receiver.url}/hooks`, events: ['order.*'] });
    await tenant.postEvent('order.paid', { total: 42 });
    const [request] = await receiver.waitForRequests(1);
    expect(request!.headers['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'order.paid', data: { total: 42 } });
  });

  it('refuses a wrong password', async () => {
    const log = clientLog({ sasl: { mechanism: 'scram-sha-512', username: 'hookline', password: 'wrong' } });
    await expect(log.publisher()).rejects.toThrow(/SASL|authenticat/i);
  });

  it('lets a Kafka-native producer principal write events but not the config topic', async () => {
    const publisher = await clientLog(scram('tenantfeed')).publisher();
    const forged = {
      kind: 'tenant',
      id: 'ten_forged',
      name: 'forged',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    await expect(
      publisher.append(`${namespace}.config`, { key: configKey('tenant', forged.id), value: JSON.stringify(forged) }),
    ).rejects.toThrow(/authoriz/i);
    const written = await publisher.append(`${namespace}.events`, { key: 'ten_none', value: '{}' });
    expect(written.offset).toBeDefined();
  });
});
