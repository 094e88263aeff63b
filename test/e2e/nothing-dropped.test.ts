import { createKafkaEventLog, type RejectedValue, recordJson, TopicReader } from '@hookline/kafka';
import { eventually } from '@hookline/testkit';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { deadLetterCount, sentinelEvent, settleWithSentinel } from './support/settle.js';

// Small chunks, so the large fan-out below is written in many of them.
const context = useHookline({ FANOUT_CHUNK_BYTES: String(64 * 1024) });

describe('an event for a disabled endpoint', () => {
  it('is parked, not lost: re-enable then replay delivers it', async () => {
    const r = await context.receiver();
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['parked.*'] });
    expect((await context.tenant.admin('PATCH', `/webhooks/${endpoint.id}`, { isActive: false })).status).toBe(200);
    const eventId = await context.tenant.postEvent('parked.order', { n: 1 });
    await eventually(async () => (await deadLetterCount(context.tenant, endpoint.id)) === 1, 60_000, 200);
    const [letter] = (await context.tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters`)).body.data;
    expect(letter).toMatchObject({ kind: 'parked', eventId, reason: expect.stringMatching(/^endpoint disabled/) });
    expect(r.requests).toHaveLength(0);

    expect((await context.tenant.admin('PATCH', `/webhooks/${endpoint.id}`, { isActive: true })).status).toBe(200);
    const started = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/replay`, {});
    expect(started.status).toBe(202);
    expect(started.body.total).toBe(1);
    const [request] = await r.waitForRequests(1);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'parked.order', data: { n: 1 } });
    // Nothing else: once a sentinel posted after it arrives, the event came once.
    const { others } = await settleWithSentinel(r, sentinelEvent(context.tenant, 'parked.sentinel'));
    expect(others).toHaveLength(1);
  });
});

describe('a large fan-out', () => {
  it('reaches every endpoint when its tasks are written in many chunks', async () => {
    const r = await context.receiver();
    const endpoints = 150;
    for (let i = 0; i < endpoints; i++) await context.tenant.createEndpoint({ url: `${r.url}/ep${i}`, events: ['wide.*'] });
    // ~30 KB of data to 150 endpoints: ~4.5 MB of tasks, ~70 chunks of 64 KiB.
    await context.tenant.postEvent('wide.one', { pad: 'w'.repeat(30_000) });
    await eventually(async () => new Set(r.requests.map((q) => q.path)).size === endpoints, 120_000, 200);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(endpoints);
  });
});

describe('records no one can use', () => {
  const depth = 20_000;
  const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('rejects a Kafka-native record too large to re-wrap (with an excerpt) and one nested too deep, and the partition goes on', async () => {
    const r = await context.receiver();
    await context.tenant.createEndpoint({ url: r.url, events: ['poison.*'] });
    const ns = context.hookline.namespace;
    const log = createKafkaEventLog({
      brokers: inject('infra').kafkaBrokers.split(','),
      clientId: 'native-producer',
      logger: pino({ level: 'silent' }),
    });
    const reader = await TopicReader.start(log, [`${ns}.rejected`], `${ns}-test-rejected-poison`);
    try {
      const producer = await log.publisher();
      // 3 MiB, not JSON: as big as the topic takes, and more than `rejected` could take with its wrapping.
      const huge = Buffer.alloc(3 * 1024 * 1024, 'x');
      const tooDeep = `{"id":"evt_deep","type":"poison.deep","tenantId":"${context.tenant.id}","timestamp":"2026-01-01T00:00:00Z","data":${deep}}`;
      await producer.publish([{ topic: `${ns}.events`, records: [{ key: context.tenant.id, value: huge }] }]);
      await producer.publish([{ topic: `${ns}.events`, records: [{ key: context.tenant.id, value: tooDeep }] }]);
      await producer.close();
      const { others } = await settleWithSentinel(r, sentinelEvent(context.tenant, 'poison.sentinel'));
      expect(others).toHaveLength(0);
      const rejected = (await reader.read(`${ns}.rejected`, 2)).map((record) => recordJson<RejectedValue>(record));
      expect(rejected[0]).toMatchObject({ reason: 'not JSON', valueBytes: huge.length });
      expect(Buffer.from(rejected[0]!.value!, 'base64').length).toBe(64 * 1024);
      // The depth cap ingest and fanout share catches it before planning would overflow the stack.
      expect(rejected[1]!.reason).toMatch(/^validation_failed: event data nests deeper than 64 levels/);
    } finally {
      await reader.stop();
      await log.close();
    }
  });

  it('rejects a delivery task whose body cannot be rendered once, without a POST, and the partition goes on', async () => {
    const r = await context.receiver();
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['render.*'] });
    const ns = context.hookline.namespace;
    const log = createKafkaEventLog({
      brokers: inject('infra').kafkaBrokers.split(','),
      clientId: 'native-producer',
      logger: pino({ level: 'silent' }),
    });
    const reader = await TopicReader.start(log, [`${ns}.rejected`], `${ns}-test-rejected-render`);
    try {
      const producer = await log.publisher();
      // A task as fanout writes it, but with data no body can be rendered from (JSON.stringify overflows).
      const task = `{"deliveryId":"msg_unrenderable","eventId":"evt_unrenderable","endpointId":"${endpoint.id}","tenantId":"${context.tenant.id}","attempt":1,"dueAt":0,"event":{"id":"evt_unrenderable","type":"render.deep","tenantId":"${context.tenant.id}","timestamp":"2026-01-01T00:00:00Z","data":${deep}}}`;
      await producer.publish([{ topic: `${ns}.deliveries`, records: [{ key: endpoint.id, value: task }] }]);
      await producer.close();
      // The records the test before this one rejected come first (one `rejected` topic for all).
      const fromDeliveries = () =>
        reader
          .of(`${ns}.rejected`)
          .map((record) => recordJson<RejectedValue>(record))
          .filter((value) => value.topic === `${ns}.deliveries`);
      const [rejected] = await eventually(async () => fromDeliveries().length > 0 && fromDeliveries(), 60_000, 100);
      expect(rejected).toMatchObject({ topic: `${ns}.deliveries`, reason: expect.stringMatching(/^delivery failed: /) });
      // The partition went on (the sentinel's task is keyed by the same endpoint), and nothing was ever POSTed for it.
      const { others } = await settleWithSentinel(r, sentinelEvent(context.tenant, 'render.sentinel'));
      expect(others).toHaveLength(0);
      // Rejected once: no second record for the same task came after the sentinel went through.
      expect(fromDeliveries()).toHaveLength(1);
    } finally {
      await reader.stop();
      await log.close();
    }
  });
});
