import { deliveryIdFor } from '@hookline/core';
import { createKafkaEventLog, type EventLog, type RecordPublisher, type RejectedValue, recordJson, TopicReader } from '@hookline/kafka';
import { eventually, type Receiver, requestJson, TestTenant } from '@hookline/testkit';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { avroEnvelope } from './support/avro-envelope.js';
import { useHookline } from './support/harness.js';
import { type SentinelData, sentinelEvent, settleWithSentinel } from './support/settle.js';

/**
 * Validation limits and the Kafka-native boundary (issue 10): data depth and schema regular expressions cannot
 * hurt ingest, the Kafka-native path gets ingest's rules, a tenant-bound input topic speaks for one tenant only,
 * and an incoming webhook refuses Hookline's own deliveries.
 */
const ctx = useHookline();
const infra = inject('infra');

/** A JSON text nesting `levels` arrays (built as text: a value that deep cannot be stringified). */
const nestedJson = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** A raw request with a deadline, so a stalled service fails the test instead of hanging it. */
async function timedPost(url: string, token: string, body: string, timeoutMs: number) {
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const parsed = (await response.json()) as { error?: { code: string; message: string } };
  return { status: response.status, code: parsed.error?.code, message: parsed.error?.message, ms: Date.now() - started };
}

const textSchema = {
  type: 'object',
  properties: { s: { type: 'string', pattern: '^(a+)+$' } },
  required: ['s'],
};

describe('limits at ingest', () => {
  it('answers data nested 6,000 levels deep with 422 validation_failed, single and in a batch', async () => {
    const url = `${ctx.hookline.ingestUrl}/v1/events`;
    const single = await timedPost(url, ctx.tenant.apiKey, `{"type":"deep.thing","data":${nestedJson(6000)}}`, 30_000);
    expect(single).toMatchObject({ status: 422, code: 'validation_failed', message: 'event data nests deeper than 64 levels' });
    const batch = await timedPost(
      `${url}/batch`,
      ctx.tenant.apiKey,
      `{"events":[{"type":"deep.thing","data":{}},{"type":"deep.thing","data":${nestedJson(6000)}}]}`,
      30_000,
    );
    expect(batch).toMatchObject({ status: 422, code: 'validation_failed' });
    expect((await ctx.tenant.postEvent('deep.thing', { ok: JSON.parse(nestedJson(60)) })).length).toBeGreaterThan(0);
  });

  describe.skipIf(!infra.schemaRegistryUrl)('schemas', () => {
    it('refuses schemas the linear-time engine cannot run or that are too large, with 422 and the reason', async () => {
      const lookahead = await ctx.tenant.admin('POST', '/event-types', {
        name: 'look.ahead',
        schema: { type: 'string', pattern: '^(?=a)a+$' },
      });
      expect({ status: lookahead.status, code: lookahead.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
      expect(lookahead.body.error.details[0]).toMatchObject({
        path: 'schema',
        message: expect.stringMatching(/invalid|(?:un)?supported|perl/i),
      });
      const huge = await ctx.tenant.admin('POST', '/event-types', {
        name: 'huge.schema',
        schema: { type: 'object', description: 'x'.repeat(70_000) },
      });
      expect({ status: huge.status, message: huge.body.error?.details?.[0]?.message }).toEqual({
        status: 422,
        message: expect.stringMatching(/at most 65536 are accepted/),
      });
      // Ajv compares every pair of items for uniqueItems over objects: a large array would stall ingest.
      const quadratic = await ctx.tenant.admin('POST', '/event-types', {
        name: 'unique.things',
        schema: { type: 'array', uniqueItems: true },
      });
      expect({ status: quadratic.status, message: quadratic.body.error?.details?.[0]?.message }).toEqual({
        status: 422,
        message: expect.stringMatching(/uniqueItems needs items of a scalar type or maxItems of at most 1000/),
      });
      // The path parameter is documented as an event type name, and answered so.
      const badName = await ctx.tenant.admin('GET', '/event-types/not%20a%20name');
      expect({ status: badName.status, code: badName.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
      expect((await ctx.tenant.admin('GET', '/event-types/look.ahead')).status).toBe(404);
    });

    it('answers an event that would backtrack catastrophically at once, and keeps serving other tenants', async () => {
      const created = await ctx.tenant.admin('POST', '/event-types', { name: 'text.sent', schema: textSchema });
      expect(created.status).toBe(201);
      const other = await TestTenant.create(ctx.hookline, 'Other tenant');
      const url = `${ctx.hookline.ingestUrl}/v1/events`;
      // 40 a's and a mismatch: about 2^40 steps for a backtracking engine.
      const attack = timedPost(url, ctx.tenant.apiKey, JSON.stringify({ type: 'text.sent', data: { s: `${'a'.repeat(40)}!` } }), 20_000);
      const bystander = timedPost(url, other.apiKey, JSON.stringify({ type: 'any.thing', data: {} }), 20_000);
      const [refused, served] = await Promise.all([attack, bystander]);
      expect(refused).toMatchObject({ status: 422, code: 'validation_failed' });
      expect(served.status).toBe(202);
      expect(Math.max(refused.ms, served.ms)).toBeLessThan(5_000);
      expect((await ctx.tenant.postEvent('text.sent', { s: 'aaaa' })).length).toBeGreaterThan(0);
    });
  });
});

describe.skipIf(!infra.schemaRegistryUrl)('the Kafka-native path', () => {
  // Kafka-native producers: records written straight to Kafka, as another team's service would.
  let log: EventLog;
  let producer: RecordPublisher;
  let registry: SchemaRegistry;
  let receiver: Receiver;
  // A tenant of its own: nothing another test posted can reach its endpoint.
  let tenant: TestTenant;
  const topic = () => `${ctx.hookline.namespace}.events`;
  const envelopeSchema = avroEnvelope('hookline.native', { name: 'Payment', fields: [{ name: 'amount', type: 'int' }] });
  const event = (id: string, type: string, data: unknown, tenantId: string = tenant.id) => ({
    id,
    type,
    tenantId,
    timestamp: new Date().toISOString(),
    data,
  });
  const produce = (value: string | Buffer, to = topic(), key = tenant.id) => producer.publish([{ topic: to, records: [{ key, value }] }]);
  /** A sentinel written the Kafka-native way: same topic and key, so it comes after the records under test. */
  const nativeSentinel =
    (to = topic(), tenantId = tenant.id) =>
    (sentinel: SentinelData) =>
      produce(JSON.stringify(event(`evt_${sentinel.sentinel}`, 'text.sent', { s: 'a', ...sentinel }, tenantId)), to, tenantId);

  async function rejectedReasons(count: number): Promise<Map<string, string>> {
    const rejectedTopic = `${ctx.hookline.namespace}.rejected`;
    const reader = await TopicReader.start(log, [rejectedTopic], `${ctx.hookline.namespace}-test-rejected-${Date.now()}`);
    try {
      const records = (await reader.read(rejectedTopic, count)).map((r) => recordJson<RejectedValue>(r));
      return new Map(records.map((r) => [Buffer.from(r.value ?? '', 'base64').toString('latin1'), r.reason]));
    } finally {
      await reader.stop();
    }
  }

  beforeAll(async () => {
    registry = new SchemaRegistry({ host: infra.schemaRegistryUrl! });
    log = createKafkaEventLog({ brokers: infra.kafkaBrokers.split(','), clientId: 'native-producer', logger: pino({ level: 'silent' }) });
    producer = await log.publisher();
    tenant = await TestTenant.create(ctx.hookline, 'Kafka-native tenant');
    receiver = await ctx.receiver();
    // `*` does not match Hookline's own types: the reserved one is named, so it would arrive if it got through.
    await tenant.createEndpoint({ url: receiver.url, events: ['*', 'hookline.alert'] });
    expect((await tenant.admin('POST', '/event-types', { name: 'text.sent', schema: textSchema })).status).toBe(201);
  });
  afterAll(async () => {
    await producer?.close();
    await log?.close();
  });

  it("sends JSON and Confluent-framed records that break ingest's rules to rejected with the reason", async () => {
    const { id: schemaId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(envelopeSchema) },
      { subject: `${ctx.hookline.namespace}.events-value` },
    );
    await produce(JSON.stringify(event('evt_native_reserved', 'hookline.alert', { forged: true })));
    await produce(JSON.stringify(event('evt_native_unknown', 'not.in.catalog', {})));
    await produce(JSON.stringify(event('evt_native_invalid', 'text.sent', { s: 'b' })));
    await produce(
      `{"id":"evt_native_deep","type":"text.sent","tenantId":"${tenant.id}","timestamp":"2026-01-01T00:00:00Z","data":${nestedJson(6000)}}`,
    );
    await produce(await registry.encode(schemaId, event('evt_avro_unknown', 'payment.received', { amount: 1 })));
    await produce(await registry.encode(schemaId, event('evt_avro_invalid', 'text.sent', { amount: 2 })));

    const { others, sentinel } = await settleWithSentinel(receiver, nativeSentinel());
    expect(others).toEqual([]);
    expect(JSON.parse(sentinel.body)).toMatchObject({ type: 'text.sent' });

    const reasons = await rejectedReasons(6);
    const reasonOf = (id: string) => [...reasons].find(([value]) => value.includes(id))?.[1];
    expect(reasonOf('evt_native_reserved')).toMatch(/^validation_failed: the "hookline\." prefix is reserved/);
    expect(reasonOf('evt_native_unknown')).toMatch(/^unknown_event_type: event type not\.in\.catalog is not in the tenant's catalog/);
    expect(reasonOf('evt_native_invalid')).toMatch(
      /^validation_failed: event data does not match its type's schema \(data\.s: must match pattern/,
    );
    expect(reasonOf('evt_native_deep')).toMatch(/^validation_failed: event data nests deeper than 64 levels/);
    expect(reasonOf('evt_avro_unknown')).toMatch(/^unknown_event_type: event type payment\.received/);
    expect(reasonOf('evt_avro_invalid')).toMatch(/^validation_failed: .*\(data: must have required property 's'\)/);
  });

  it("takes every record of a tenant-bound input topic as that tenant's, whatever its body says", async () => {
    const victim = await TestTenant.create(ctx.hookline, 'Victim tenant');
    const victimReceiver = await ctx.receiver();
    await victim.createEndpoint({ url: victimReceiver.url, events: ['*'] });
    // The operator binds this tenant's producer to its own topic (and grants it WRITE there alone).
    await ctx.hookline.signal('fanout', 'SIGTERM');
    await ctx.hookline.startService('fanout', { FANOUT_TENANT_TOPICS: tenant.id });
    const bound = `${ctx.hookline.namespace}.native.${tenant.id}`;

    const before = receiver.requests.length;
    await produce(JSON.stringify(event('evt_bound_forged', 'text.sent', { s: 'aa', forged: true }, victim.id)), bound, victim.id);
    const { tenantId: _none, ...withoutTenant } = event('evt_bound_plain', 'text.sent', { s: 'aaa' });
    await produce(JSON.stringify(withoutTenant), bound, 'any-key');
    await produce(JSON.stringify(event('evt_bound_reserved', 'hookline.alert', {}, victim.id)), bound, victim.id);

    // Both valid records reach this tenant's endpoint (the forged one too, as this tenant's); the victim gets
    // nothing but its own sentinel, posted after them.
    await receiver.waitForRequests(before + 2, 60_000);
    const arrived = receiver.requests.slice(before).map((r) => JSON.parse(r.body).data);
    expect(arrived).toEqual(expect.arrayContaining([{ s: 'aa', forged: true }, { s: 'aaa' }]));
    const { others } = await settleWithSentinel(victimReceiver, sentinelEvent(victim, 'victim.sentinel'));
    expect(others).toEqual([]);
    const { others: mine } = await settleWithSentinel(receiver, nativeSentinel(bound));
    expect(mine).toHaveLength(before + 2);
    expect([...(await rejectedReasons(7)).values()]).toContainEqual(expect.stringMatching(/reserved for Hookline's own events/));
  });
});

describe('incoming webhooks and Hookline deliveries (loop guard)', () => {
  it("refuses a call that carries Hookline's own delivery id or user agent, with the reason, and records it", async () => {
    const created = await ctx.tenant.admin('POST', '/incoming-webhooks', { name: 'loop', eventType: 'loop.seen' });
    expect(created.status).toBe(201);
    const url = `${ctx.hookline.ingestUrl}${created.body.url}`;
    const call = (headers: Record<string, string>) => requestJson('POST', url, { body: { hello: 'world' }, headers });

    const byId = await call({ 'webhook-id': deliveryIdFor('evt_1', 'ep_1') });
    expect({ status: byId.status, code: byId.body.error?.code }).toEqual({ status: 403, code: 'forbidden' });
    expect(byId.body.error.message).toMatch(/webhook delivery made by Hookline \(its webhook-id header is a Hookline delivery id\)/);
    expect((await call({ 'x-webhook-delivery-id': deliveryIdFor('evt_2', 'ep_1') })).status).toBe(403);
    expect((await call({ 'user-agent': 'Hookline/0.1' })).status).toBe(403);
    // Another Standard Webhooks sender's ids (27 mixed-case characters) are not ours.
    expect((await call({ 'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' })).status).toBe(202);
    const deep = await requestJson('POST', url, { rawBody: `{"a":${nestedJson(6000)}}` });
    expect({ status: deep.status, code: deep.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });

    // Calls are recorded once answered: wait until all five are.
    const statuses = await eventually(async () => {
      const calls = await ctx.tenant.admin('GET', `/incoming-webhooks/${created.body.id}/calls`);
      return calls.body.data.length === 5 && calls.body.data.map((c: { status: number }) => c.status).sort();
    });
    expect(statuses).toEqual([202, 403, 403, 403, 422]);
  });
});
