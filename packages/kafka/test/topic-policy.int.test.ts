import { topicNames } from '@hookline/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { TopicMisconfiguredError } from '../src/errors.js';
import { AdminSession } from '../src/kafkajs/admin.js';
import { createKafkaClient } from '../src/kafkajs/client.js';
import { createKafkaEventLog } from '../src/kafkajs/index.js';
import type { EventLog } from '../src/port.js';
import { coreTopicSpecs, topicPolicy } from '../src/topic-specs.js';
import { deleteRunTopics } from './run-topics.js';

// The test reads the broker's view of each topic through its own admin connection.
const run = `topics-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const brokers = () => inject('infra').kafkaBrokers.split(',');
let log: EventLog;
let admin: AdminSession;

beforeAll(async () => {
  log = createKafkaEventLog({ brokers: brokers(), clientId: run, logger: pino({ level: 'warn' }) });
  admin = new AdminSession(createKafkaClient({ brokers: brokers(), clientId: `${run}-check`, logger: pino({ level: 'silent' }) }));
});
afterAll(async () => {
  await admin?.close();
  await deleteRunTopics(log, run);
  await log?.close();
});

const settings = async (topic: string) => (await admin.topicSettings(topic)).settings;

const env = (retention = '') => ({
  HOOKLINE_TOPIC_REPLICATION_FACTOR: undefined,
  HOOKLINE_TOPIC_MIN_INSYNC_REPLICAS: undefined,
  HOOKLINE_TOPIC_RETENTION: retention,
  HOOKLINE_TOPIC_RETENTION_BYTES: -1,
});

describe('topic policy on the real broker', () => {
  it('creates topics with retention, no size limit and min.insync.replicas from the policy', async () => {
    const names = topicNames(`${run}.a.`);
    await log.ensureTopics(coreTopicSpecs(names, 2, topicPolicy(env('events=3d'))));
    expect(await settings(names.events)).toMatchObject({
      'cleanup.policy': 'delete',
      'retention.ms': String(3 * 24 * 3600_000),
      'retention.bytes': '-1',
      'min.insync.replicas': '1',
      'max.message.bytes': String(4 * 1024 * 1024),
    });
    expect(await settings(names.deadLetter)).toMatchObject({ 'retention.ms': String(30 * 24 * 3600_000), 'retention.bytes': '-1' });
    expect(await settings(names.config)).toMatchObject({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' });
    // One broker here: min(3, brokers) replicas.
    expect((await admin.topicSettings(names.events)).replicas).toBe(1);
  });

  it('brings an existing topic with broker defaults to the policy, keeping its other overrides', async () => {
    const names = topicNames(`${run}.b.`);
    // As an earlier version left it: the broker's size limit, a day's retention, and an operator's own override.
    await log.ensureTopics([
      {
        topic: names.events,
        numPartitions: 2,
        configEntries: [
          { name: 'retention.bytes', value: String(1024 ** 3) },
          { name: 'retention.ms', value: '3600000' },
          { name: 'segment.ms', value: '7200000' },
        ],
      },
    ]);
    await log.ensureTopics(coreTopicSpecs(names, 2, topicPolicy(env())));
    // The broker applies a topic's new settings through its metadata log: visible a moment after the answer.
    await vi.waitFor(
      async () =>
        expect(await settings(names.events)).toMatchObject({
          'retention.bytes': '-1',
          'retention.ms': String(7 * 24 * 3600_000),
          'segment.ms': '7200000',
          'max.message.bytes': String(4 * 1024 * 1024),
        }),
      { timeout: 10_000, interval: 200 },
    );
  });

  it('refuses to go on when config is not compacted, with a clear error, and leaves the topic as it is', async () => {
    const names = topicNames(`${run}.c.`);
    await log.ensureTopics([{ topic: names.config, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }]);
    const refusal = await log.ensureTopics(coreTopicSpecs(names, 2, topicPolicy(env()))).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TopicMisconfiguredError);
    expect((refusal as Error).message).toMatch(
      new RegExp(`^topic ${names.config.replace(/\./g, '\\.')} has cleanup.policy=delete but must have cleanup.policy=compact`),
    );
    expect((await settings(names.config))['cleanup.policy']).toBe('delete');
  });
});
