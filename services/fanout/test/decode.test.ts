import { ConfigState, type EventTypeRecord, eventRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { EventDecoder, type EventRecordIn } from '../src/decode.js';

const eventsTopic = 'test.events';
const boundTopic = 'test.native.ten_bound';
const event = { id: 'evt_1', type: 'a.b', tenantId: 'tn_1', timestamp: '2026-01-01T00:00:00Z', data: { x: 1 } };

/** A record as ingest writes it (marked) or as a Kafka-native producer does (no header). */
const marked = (value: object): EventRecordIn => ({
  topic: eventsTopic,
  ...eventRecord(value as typeof event),
  value: Buffer.from(JSON.stringify(value)),
});
const native = (value: unknown, topic = eventsTopic): EventRecordIn => ({
  topic,
  headers: {},
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

function stateWith(...types: Partial<EventTypeRecord>[]): ConfigState {
  const state = new ConfigState();
  for (const type of types) {
    const record = { kind: 'eventType', id: `${type.tenantId}:${type.name}`, createdAt: '', updatedAt: '', ...type } as EventTypeRecord;
    state.apply(`eventType:${record.id}`, record);
  }
  return state;
}

describe('EventDecoder', () => {
  const decoder = new EventDecoder({ tenantOf: new Map([[boundTopic, 'ten_bound']]) });
  const empty = new ConfigState();

  it('reads JSON envelopes and gives reasons for unreadable records', async () => {
    expect(await decoder.parse(marked(event), empty)).toEqual({ ok: true, value: event });
    expect(await decoder.parse(native(null), empty)).toEqual({ ok: false, reason: 'empty record' });
    expect(await decoder.parse(native('{nope'), empty)).toEqual({ ok: false, reason: 'not JSON' });
  });

  it('reads records in the previous shape (no origin header) as Kafka-native ones, which pass when they break no rule', async () => {
    expect(await decoder.parse(native(event), empty)).toEqual({ ok: true, value: event });
  });

  it('rejects Confluent-framed records when no registry is configured', async () => {
    const framed: EventRecordIn = { topic: eventsTopic, headers: {}, value: Buffer.from([0, 0, 0, 0, 7, 1, 2, 3]) };
    expect(await decoder.parse(framed, empty)).toEqual({ ok: false, reason: 'no schema registry configured' });
  });

  it("applies ingest's rules to Kafka-native records: reserved types, the catalog, the schema, the depth cap", async () => {
    const state = stateWith({
      tenantId: 'tn_1',
      name: 'a.b',
      schema: { type: 'object', properties: { x: { type: 'string', pattern: '^(a+)+$' } } },
    });
    expect(await decoder.parse(native({ ...event, type: 'hookline.alert' }), state)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^validation_failed: the "hookline\." prefix is reserved/),
    });
    expect(await decoder.parse(native({ ...event, type: 'c.d' }), state)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^unknown_event_type: event type c\.d is not in the tenant's catalog/),
    });
    expect(await decoder.parse(native(event), state)).toEqual({
      ok: false,
      reason: "validation_failed: event data does not match its type's schema (data.x: must be string)",
    });
    // A catastrophic pattern for a backtracking engine; RE2 answers at once.
    const started = Date.now();
    const slow = await decoder.parse(native({ ...event, data: { x: `${'a'.repeat(50_000)}!` } }), state);
    expect(slow).toMatchObject({ ok: false, reason: expect.stringMatching(/must match pattern/) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await decoder.parse(native({ ...event, data: { x: 'aaa' } }), state)).toMatchObject({ ok: true });

    const deep = `{"id":"evt_deep","type":"a.b","tenantId":"tn_1","timestamp":"2026-01-01T00:00:00Z","data":${'['.repeat(6000)}${']'.repeat(6000)}}`;
    expect(await decoder.parse(native(deep), state)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/nests deeper than 64 levels/),
    });
  });

  it("trusts what Hookline's own services marked (checked where it entered, e.g. its alerts)", async () => {
    const state = stateWith({ tenantId: 'tn_1', name: 'x.y' });
    const alert = { ...event, type: 'hookline.alert' };
    expect(await decoder.parse(marked(alert), state)).toEqual({ ok: true, value: alert });
    // The marker means nothing on a tenant-bound topic.
    expect(await decoder.parse({ ...marked(alert), topic: boundTopic }, state)).toMatchObject({ ok: false });
  });

  it("takes a tenant-bound topic's records as its tenant's, whatever their body says", async () => {
    const { tenantId: _omitted, ...withoutTenant } = event;
    expect(await decoder.parse(native(withoutTenant, boundTopic), empty)).toEqual({ ok: true, value: { ...event, tenantId: 'ten_bound' } });
    expect(await decoder.parse(native({ ...event, tenantId: 'ten_victim' }, boundTopic), empty)).toEqual({
      ok: true,
      value: { ...event, tenantId: 'ten_bound' },
    });
    // The bound tenant's own catalog applies.
    const state = stateWith({ tenantId: 'ten_bound', name: 'only.this' });
    expect(await decoder.parse(native(event, boundTopic), state)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^unknown_event_type/),
    });
  });
});
