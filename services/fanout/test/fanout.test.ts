import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigView } from '@hookline/config';
import {
  configKey,
  type DeadLetterRecord,
  type DeliveryTask,
  deliveryIdFor,
  type EndpointRecord,
  type EventEnvelope,
  testEndpoint,
  topicNames,
} from '@hookline/core';
import {
  coreTopicSpecs,
  createMemoryEventLog,
  type MemoryEventLog,
  type RecordPublisher,
  type RejectedValue,
  type RunningConsumer,
  recordJson,
  rejectedExcerptBytes,
  TopicReader,
  type TopicRecords,
} from '@hookline/kafka';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFanout } from '../src/fanout.js';

const logger = pino({ level: 'silent' });
const topics = topicNames('test.');
const tenantId = 'ten_1';

function endpoint(id: string, events: string[], isActive = true): EndpointRecord {
  return testEndpoint(id, { tenantId, events, isActive });
}

function event(id: string, type = 'order.created', data: unknown = { n: id }): EventEnvelope {
  return { id, type, tenantId, timestamp: '2026-01-01T00:00:00.000Z', data };
}

interface Harness {
  log: MemoryEventLog;
  /** What tests write with: events, config records (not through fanout's view, as config-api does). */
  writer: RecordPublisher;
  out: TopicReader;
  fanouts: RunningConsumer[];
  start(
    publisher?: RecordPublisher,
    chunkBytes?: number,
    extra?: { schemaRegistryUrl: string; metrics: Registry },
  ): Promise<RunningConsumer>;
  publishEvents(values: (EventEnvelope | string | Buffer)[]): Promise<void>;
}

let h: Harness;

beforeEach(async () => {
  const log = createMemoryEventLog();
  await log.ensureTopics(coreTopicSpecs(topics, 3));
  const writer = await log.publisher();
  await writer.publish([
    {
      topic: topics.config,
      records: [
        endpoint('ep_a', ['order.*']),
        endpoint('ep_b', ['order.created', 'invoice.*']),
        endpoint('ep_c', ['invoice.*']),
        endpoint('ep_off', ['*'], false),
      ].map((e) => ({
        key: configKey('endpoint', e.id),
        value: JSON.stringify(e),
      })),
    },
  ]);
  const out = await TopicReader.start(log, [topics.deliveries, topics.rejected, topics.deadLetter]);
  const fanouts: RunningConsumer[] = [];
  h = {
    log,
    writer,
    out,
    fanouts,
    async start(publisher, chunkBytes, extra) {
      const config = new ConfigView(log, topics.config, logger);
      await config.start();
      const fanout = await startFanout({
        log,
        topics,
        config,
        publisher: publisher ?? (await log.publisher()),
        logger,
        metrics: extra?.metrics ?? new Registry(),
        groupId: 'fanout',
        ...(extra ? { schemaRegistryUrl: extra.schemaRegistryUrl } : {}),
        ...(chunkBytes ? { chunkBytes } : {}),
      });
      fanouts.push(fanout);
      return fanout;
    },
    async publishEvents(values) {
      const records = values.map((v) => ({ key: tenantId, value: typeof v === 'string' || Buffer.isBuffer(v) ? v : JSON.stringify(v) }));
      await writer.publish([{ topic: topics.events, records }]);
    },
  };
});

afterEach(async () => {
  await Promise.all(h.fanouts.map((f) => f.stop()));
  await h.out.stop();
  await h.log.close();
});

const tasksOf = (records: ReturnType<TopicReader['of']>) => records.map((r) => ({ key: r.key, task: recordJson<DeliveryTask>(r) }));

describe('fanout', () => {
  it('turns an event into one first-attempt task per subscribed active endpoint, keyed by endpoint', async () => {
    await h.start();
    await h.publishEvents([event('evt_1')]);
    const tasks = tasksOf(await h.out.read(topics.deliveries, 2));
    expect(tasks.map((t) => t.key).sort()).toEqual(['ep_a', 'ep_b']);
    for (const { key, task } of tasks) {
      expect(task).toMatchObject({
        deliveryId: deliveryIdFor('evt_1', key!),
        eventId: 'evt_1',
        endpointId: key,
        tenantId,
        attempt: 1,
        event: event('evt_1'),
      });
    }
  });

  it('sees endpoints created just before the event (config catch-up before each batch)', async () => {
    await h.start();
    await h.writer.publish([
      {
        topic: topics.config,
        records: [{ key: configKey('endpoint', 'ep_new'), value: JSON.stringify(endpoint('ep_new', ['order.created'])) }],
      },
    ]);
    await h.publishEvents([event('evt_2')]);
    const tasks = tasksOf(await h.out.read(topics.deliveries, 3));
    expect(tasks.map((t) => t.key).sort()).toEqual(['ep_a', 'ep_b', 'ep_new']);
  });

  it("keeps each endpoint's tasks in the order of the events", async () => {
    await h.start();
    const events = Array.from({ length: 50 }, (_, i) =>
      event(`evt_${String(i).padStart(2, '0')}`, i % 2 ? 'order.created' : 'invoice.paid'),
    );
    await h.publishEvents(events.slice(0, 25));
    await h.publishEvents(events.slice(25));
    // ep_a: 25 order events; ep_b: all 50; ep_c: 25 invoice events.
    const tasks = tasksOf(await h.out.read(topics.deliveries, 100));
    const order = (endpointId: string) => tasks.filter((t) => t.key === endpointId).map((t) => t.task.eventId);
    const ids = (filter: (i: number) => boolean) => events.filter((_, i) => filter(i)).map((e) => e.id);
    expect(order('ep_a')).toEqual(ids((i) => i % 2 === 1));
    expect(order('ep_b')).toEqual(ids(() => true));
    expect(order('ep_c')).toEqual(ids((i) => i % 2 === 0));
  });

  it('sends unreadable records to rejected with the reason, and goes on with the next ones', async () => {
    await h.start();
    await h.publishEvents([
      '{nope',
      JSON.stringify({ id: 'evt_x', type: 'order.created' }),
      Buffer.from([0, 0, 0, 0, 7, 1]),
      event('evt_ok'),
    ]);
    const rejected = (await h.out.read(topics.rejected, 3)).map((r) => recordJson<RejectedValue>(r));
    expect(rejected.map((r) => r.reason)).toEqual([
      'not JSON',
      expect.stringMatching(/^invalid envelope: tenantId/),
      'no schema registry configured',
    ]);
    expect(rejected[0]).toMatchObject({ topic: topics.events, offset: expect.any(String), value: Buffer.from('{nope').toString('base64') });
    const tasks = tasksOf(await h.out.read(topics.deliveries, 2));
    expect(tasks.map((t) => t.task.eventId)).toEqual(['evt_ok', 'evt_ok']);
  });

  it('rejects a record whose planning throws (data nested too deep to encode) with a bounded excerpt, and delivers the next one', async () => {
    await h.start();
    const depth = 20_000;
    const poison = `{"id":"evt_deep","type":"order.created","tenantId":"${tenantId}","timestamp":"2026-01-01T00:00:00Z","data":{"pad":"${'x'.repeat(100_000)}","deep":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    await h.publishEvents([poison, event('evt_after')]);
    const rejected = recordJson<RejectedValue>((await h.out.read(topics.rejected, 1))[0]!);
    // A Kafka-native record (no origin header): refused by the depth cap before planning would overflow the stack.
    expect(rejected.reason).toMatch(/^validation_failed: event data nests deeper than 64 levels/);
    expect(rejected.valueBytes).toBe(Buffer.byteLength(poison));
    expect(Buffer.from(rejected.value!, 'base64').toString()).toBe(poison.slice(0, rejectedExcerptBytes));
    const tasks = tasksOf(await h.out.read(topics.deliveries, 2));
    expect(tasks.map((t) => t.task.eventId)).toEqual(['evt_after', 'evt_after']);
  });

  it('commits a batch only once its tasks are on the broker', async () => {
    await h.publishEvents([event('evt_1')]);
    const { partition } = h.log.records(topics.events)[0]!;
    // The broker refuses writes: fanout's publish fails, so the batch must stay uncommitted and be read again.
    h.log.failPublishes(new Error('broker away'));
    const publisher = await h.log.publisher();
    let refused!: () => void;
    const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
    await h.start({
      publish: (batches) =>
        publisher.publish(batches).catch((error: unknown) => {
          refused();
          throw error;
        }),
      append: (topic, record) => publisher.append(topic, record),
      flush: () => publisher.flush(),
      health: () => publisher.health(),
      close: () => publisher.close(),
    });
    await firstRefusal;
    const committedEvents = () => h.log.committed('fanout').find((c) => c.topic === topics.events && c.partition === partition)?.offset;
    expect(committedEvents() ?? 0n).toBe(0n);
    h.log.failPublishes();
    await h.out.read(topics.deliveries, 2);
    await vi.waitFor(() => expect(committedEvents()).toBe(1n));
    expect(
      tasksOf(h.out.of(topics.deliveries))
        .map((t) => t.key)
        .sort(),
    ).toEqual(['ep_a', 'ep_b']);
  });

  it('gives the same delivery ids when a batch is processed again after a crash before its commit', async () => {
    // The first publish reaches the broker, then the batch fails before it is committed, as in a crash.
    const publisher = await h.log.publisher();
    let crashed = false;
    const crashing: RecordPublisher = {
      publish: async (batches) => {
        await publisher.publish(batches);
        if (crashed) return;
        crashed = true;
        throw new Error('crashed after publishing, before committing');
      },
      append: (topic, record) => publisher.append(topic, record),
      flush: () => publisher.flush(),
      health: () => publisher.health(),
      close: () => publisher.close(),
    };
    await h.start(crashing);
    await h.publishEvents([event('evt_1')]);
    await h.out.read(topics.deliveries, 4);
    // A sentinel after it: once its tasks are out, nothing more of evt_1 is coming.
    await h.publishEvents([event('evt_sentinel')]);
    const tasks = tasksOf(await h.out.read(topics.deliveries, 6));
    const ids = tasks.map((t) => `${t.task.eventId}/${t.task.deliveryId}`);
    const once = ['ep_a', 'ep_b'].map((ep) => `evt_1/${deliveryIdFor('evt_1', ep)}`);
    expect(ids.slice(0, 4).sort()).toEqual([...once, ...once].sort());
    expect(ids.slice(4).every((id) => id.startsWith('evt_sentinel/'))).toBe(true);
    expect(tasks).toHaveLength(6);
  });

  it('holds a framed record while the schema registry does not answer (counted), never rejecting it or skipping past it', async () => {
    // A loopback port nothing listens on: the registry is down.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const metrics = new Registry();
    await h.start(undefined, undefined, { schemaRegistryUrl: `http://127.0.0.1:${port}`, metrics });
    const retries = async () => (await metrics.getSingleMetric('hookline_fanout_schema_registry_retries_total')?.get())?.values ?? [];
    await h.publishEvents([Buffer.from([0, 0, 0, 0, 7, 1]), event('evt_behind')]);
    // Tried, then tried again after its back-off: still waiting, nothing rejected, the event behind it not passed.
    await vi.waitFor(
      async () => expect((await retries()).find((v) => v.labels.reason === 'unavailable')?.value).toBeGreaterThanOrEqual(2),
      {
        timeout: 10_000,
      },
    );
    expect(h.out.of(topics.rejected)).toHaveLength(0);
    expect(h.out.of(topics.deliveries)).toHaveLength(0);
  });

  it('parks the task of a subscribed disabled endpoint in the dead-letter topic (replayable), not lost', async () => {
    await h.start();
    await h.publishEvents([event('evt_off')]);
    const [parked] = await h.out.read(topics.deadLetter, 1);
    expect(parked!.key).toBe('ep_off');
    expect(recordJson<DeadLetterRecord>(parked!)).toMatchObject({
      kind: 'parked',
      reason: 'endpoint disabled',
      task: { deliveryId: deliveryIdFor('evt_off', 'ep_off'), endpointId: 'ep_off', attempt: 1, event: event('evt_off') },
    });
    // Active subscribers still get their tasks; the disabled one none.
    const tasks = tasksOf(await h.out.read(topics.deliveries, 2));
    expect(tasks.map((t) => t.key).sort()).toEqual(['ep_a', 'ep_b']);
  });
});

/** A publisher that records the bytes of every call still in flight, and answers slowly. */
function measuringPublisher(inner: RecordPublisher, failAtCall?: number) {
  const bytesOf = (batches: TopicRecords[]) =>
    batches.reduce((sum, b) => sum + b.records.reduce((n, r) => n + Buffer.byteLength(r.value as string) + (r.key?.length ?? 0), 0), 0);
  const stats = { calls: 0, inFlightBytes: 0, maxInFlightBytes: 0, maxConcurrentCalls: 0, concurrent: 0 };
  const publisher: RecordPublisher = {
    publish: async (batches) => {
      stats.calls++;
      const call = stats.calls;
      const bytes = bytesOf(batches);
      stats.inFlightBytes += bytes;
      stats.concurrent++;
      stats.maxInFlightBytes = Math.max(stats.maxInFlightBytes, stats.inFlightBytes);
      stats.maxConcurrentCalls = Math.max(stats.maxConcurrentCalls, stats.concurrent);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (call === failAtCall) throw new Error('broker away mid-event');
        await inner.publish(batches);
      } finally {
        stats.inFlightBytes -= bytes;
        stats.concurrent--;
      }
    },
    append: (topic, record) => inner.append(topic, record),
    flush: () => inner.flush(),
    health: () => inner.health(),
    close: () => inner.close(),
  };
  return { publisher, stats };
}

describe('fanout memory', () => {
  const fanOutTo = async (count: number) => {
    await h.writer.publish([
      {
        topic: topics.config,
        records: Array.from({ length: count }, (_, i) => {
          const e = endpoint(`ep_many_${i}`, ['big.*']);
          return { key: configKey('endpoint', e.id), value: JSON.stringify(e) };
        }),
      },
    ]);
  };

  it('writes a large fan-out in bounded chunks while planning: the tasks in flight stay under the cap', async () => {
    const endpoints = 1_000;
    const chunkBytes = 256 * 1024;
    await fanOutTo(endpoints);
    const { publisher, stats } = measuringPublisher(await h.log.publisher());
    await h.start(publisher, chunkBytes);
    // ~20 KB of data to 1,000 endpoints: ~20 MB of tasks, 80 times the cap.
    await h.publishEvents([event('evt_big', 'big.one', { pad: 'x'.repeat(20_000) })]);
    const tasks = tasksOf(await h.out.read(topics.deliveries, endpoints));
    expect(new Set(tasks.map((t) => t.key)).size).toBe(endpoints);
    const taskBytes = Buffer.byteLength(JSON.stringify(tasks[0]!.task));
    expect(stats.calls).toBeGreaterThan(50);
    // One chunk in flight at a time, each at most the cap plus the record that crossed it.
    expect(stats.maxConcurrentCalls).toBe(1);
    expect(stats.maxInFlightBytes).toBeLessThanOrEqual(chunkBytes + taskBytes + 100);
  });

  it('writes a fan-out again with the same delivery ids when a chunk fails mid-event, and commits only after all', async () => {
    const endpoints = 300;
    await fanOutTo(endpoints);
    const { publisher, stats } = measuringPublisher(await h.log.publisher(), 3);
    await h.start(publisher, 64 * 1024);
    await h.publishEvents([event('evt_mid', 'big.one', { pad: 'y'.repeat(10_000) })]);
    await vi.waitFor(() => expect(h.log.committed('fanout').some((c) => c.topic === topics.events && c.offset === 1n)).toBe(true), {
      timeout: 10_000,
    });
    const tasks = tasksOf(h.out.of(topics.deliveries));
    expect(stats.calls).toBeGreaterThan(3);
    // Every endpoint got its task (chunks before the failure twice), always with the same id.
    const byEndpoint = new Map<string, Set<string>>();
    for (const { key, task } of tasks) byEndpoint.set(key!, (byEndpoint.get(key!) ?? new Set()).add(task.deliveryId));
    expect(byEndpoint.size).toBe(endpoints);
    for (const [ep, ids] of byEndpoint) expect([...ids]).toEqual([deliveryIdFor('evt_mid', ep)]);
  });
});
