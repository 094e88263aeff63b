import { type EventEnvelope, topicNames } from '@hookline/core';
import type { OutgoingRecord } from '@hookline/kafka';
import { createTracing, traceparentFrom } from '@hookline/tracing';
import { describe, expect, it } from 'vitest';
import { publishWithTraces } from '../src/tracing.js';
import { eventsOnlyPlanner } from './planner-fixture.js';

const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const envelope = (id: string): EventEnvelope => ({ id, type: 'a.b', tenantId: 't1', timestamp: '2026-01-01T00:00:00.000Z', data: {} });

async function published(traceparent: string | undefined, tracing = createTracing({ serviceName: 'ingest-test' })) {
  const records: OutgoingRecord[] = [];
  await publishWithTraces(tracing, [envelope('e1'), envelope('e2')], traceparent, async (traced) => {
    for (const batch of eventsOnlyPlanner(topicNames('test.')).recordsOf(traced)) records.push(...batch.records);
  });
  return records;
}

describe('trace context at ingest', () => {
  it("puts the request's traceparent on every event record of the call, next to the origin header", async () => {
    const records = await published(incoming);
    expect(records.map((r) => r.headers)).toEqual([
      { 'hookline-origin': 'hookline', traceparent: incoming },
      { 'hookline-origin': 'hookline', traceparent: incoming },
    ]);
  });

  it('starts a trace per event without one (or with a malformed one)', async () => {
    for (const parent of [undefined, 'not-a-traceparent']) {
      const [first, second] = (await published(parent)).map((r) => traceparentFrom(r.headers));
      expect(first).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(second).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(first!.slice(3, 35)).not.toBe(second!.slice(3, 35));
    }
  });

  it('fails the spans and passes the error on when the broker refuses', async () => {
    const refused = new Error('broker away');
    await expect(
      publishWithTraces(createTracing({ serviceName: 'ingest-test' }), [envelope('e1')], incoming, () => Promise.reject(refused)),
    ).rejects.toBe(refused);
  });
});
