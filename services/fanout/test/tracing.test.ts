import { ConfigView } from '@hookline/config';
import { configKey, type EndpointRecord, eventRecord, testEndpoint, topicNames } from '@hookline/core';
import { coreTopicSpecs, createMemoryEventLog, type LogRecord, type MemoryEventLog, type RunningConsumer } from '@hookline/kafka';
import { createTracing, traceparentFrom } from '@hookline/tracing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFanout } from '../src/fanout.js';

const logger = pino({ level: 'silent' });
const topics = topicNames('test.');
const tenantId = 'ten_1';
const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function endpoint(id: string, isActive = true): EndpointRecord {
  const at = '2026-01-01T00:00:00.000Z';
  return testEndpoint(id, { tenantId, isActive, createdAt: at, updatedAt: at });
}

let log: MemoryEventLog;
let fanout: RunningConsumer;
let config: ConfigView;

afterEach(async () => {
  await fanout.stop();
  await config.stop();
  await log.close();
});

/** Fanout with tracing (no exporter) over two active endpoints and a disabled one; the events given are written to `events`. */
async function fanOut(records: { id: string; headers?: Record<string, string> }[]): Promise<LogRecord[]> {
  log = createMemoryEventLog();
  await log.ensureTopics(coreTopicSpecs(topics, 1));
  const writer = await log.publisher();
  const endpoints = [endpoint('ep_a'), endpoint('ep_b'), endpoint('ep_off', false)];
  await writer.publish([
    { topic: topics.config, records: endpoints.map((e) => ({ key: configKey('endpoint', e.id), value: JSON.stringify(e) })) },
  ]);
  config = new ConfigView(log, topics.config, logger);
  await config.start();
  const tracing = createTracing({ serviceName: 'fanout-test' });
  fanout = await startFanout({
    log,
    topics,
    config,
    publisher: await log.publisher(),
    logger,
    metrics: new Registry(),
    groupId: 'fanout',
    tracing,
  });
  const events = records.map(({ id, headers }) => {
    const record = eventRecord({ id, type: 'order.created', tenantId, timestamp: '2026-01-01T00:00:00.000Z', data: {} });
    return { ...record, headers: { ...record.headers, ...headers } };
  });
  await writer.publish([{ topic: topics.events, records: events }]);
  await vi.waitFor(() => expect(log.records(topics.deliveries).length + log.records(topics.deadLetter).length).toBe(3 * records.length));
  return [...log.records(topics.deliveries), ...log.records(topics.deadLetter)];
}

const eventOf = (record: LogRecord) => {
  const value = JSON.parse(record.value!.toString());
  return (value.eventId ?? value.task.eventId) as string;
};

describe('trace context through fanout', () => {
  it("puts the event record's traceparent on each of its tasks and parked dead letters", async () => {
    const out = await fanOut([{ id: 'evt_1', headers: { traceparent: incoming } }]);
    expect(out.map((r) => traceparentFrom(r.headers))).toEqual([incoming, incoming, incoming]);
  });

  it('starts one trace per event of the previous shape (no header), shared by its tasks', async () => {
    const out = await fanOut([{ id: 'evt_1' }, { id: 'evt_2' }]);
    const byEvent = new Map<string, Set<string | undefined>>();
    for (const record of out)
      byEvent.set(eventOf(record), (byEvent.get(eventOf(record)) ?? new Set()).add(traceparentFrom(record.headers)));
    const [first, second] = [...byEvent.get('evt_1')!, ...byEvent.get('evt_2')!];
    expect([byEvent.get('evt_1')!.size, byEvent.get('evt_2')!.size]).toEqual([1, 1]);
    expect(first).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(second).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(first).not.toBe(second);
  });
});
