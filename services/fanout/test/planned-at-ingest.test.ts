import { ConfigView } from '@hookline/config';
import {
  configKey,
  type DeliveryTask,
  type EndpointRecord,
  type EventEnvelope,
  eventRecord,
  markPlanned,
  testEndpoint,
  topicNames,
} from '@hookline/core';
import { coreTopicSpecs, createMemoryEventLog, recordJson, TopicReader } from '@hookline/kafka';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { startFanout } from '../src/fanout.js';

const logger = pino({ level: 'silent' });
const topics = topicNames('test.');
const tenantId = 'ten_1';
const endpoint: EndpointRecord = testEndpoint('ep_a', { tenantId, name: 'a', url: 'http://127.0.0.1:9/a' });
const event = (id: string): EventEnvelope => ({ id, type: 'order.created', tenantId, timestamp: '2026-01-01T00:00:00.000Z', data: {} });

describe('events ingest planned', () => {
  it('get tasks only for endpoints ingest did not plan for; unmarked events (the previous shape) and forged marks are planned in full', async () => {
    const log = createMemoryEventLog();
    await log.ensureTopics(coreTopicSpecs(topics, 1));
    const writer = await log.publisher();
    const late = { ...endpoint, id: 'ep_late' };
    const config = [endpoint, late].map((e) => ({ key: configKey('endpoint', e.id), value: JSON.stringify(e) }));
    await writer.publish([{ topic: topics.config, records: config }]);
    const view = new ConfigView(log, topics.config, logger);
    await view.start();
    const metrics = new Registry();
    const fanout = await startFanout({ log, topics, config: view, publisher: await log.publisher(), logger, metrics, groupId: 'fanout' });
    const out = await TopicReader.start(log, [topics.deliveries]);

    // Ingest planned the first for both endpoints, the second before its view had ep_late.
    const traced = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const both = markPlanned(eventRecord(event('evt_both')), ['ep_a', 'ep_late']);
    const missed = markPlanned(eventRecord(event('evt_missed')), ['ep_a']);
    missed.headers.traceparent = traced.traceparent;
    // A Kafka-native producer's record claiming to be planned, without Hookline's origin marker.
    const forged = { ...eventRecord(event('evt_forged')), headers: { 'hookline-planned': '["ep_a","ep_late"]' } };
    const records = [both, missed, eventRecord(event('evt_old')), forged, markPlanned(eventRecord(event('evt_last')), ['ep_a', 'ep_late'])];
    await writer.publish([{ topic: topics.events, records }]);

    const tasks = (await out.read(topics.deliveries, 5)).map((r) => ({
      task: recordJson<DeliveryTask>(r),
      traceparent: r.headers.traceparent,
    }));
    expect(tasks.map(({ task }) => `${task.eventId}>${task.endpointId}`)).toEqual([
      'evt_missed>ep_late',
      'evt_old>ep_a',
      'evt_old>ep_late',
      'evt_forged>ep_a',
      'evt_forged>ep_late',
    ]);
    // The late task continues ingest's trace (no fanout span of its own).
    expect(tasks[0]!.traceparent).toBe(traced.traceparent);
    const value = async (name: string) => (await metrics.getSingleMetric(name)?.get())?.values[0]?.value;
    // The counters move once the batch's writes are acknowledged, just after the tasks can be read.
    await vi.waitFor(async () => expect(await value('hookline_fanout_events_total')).toBe(5));
    expect(await value('hookline_fanout_planned_at_ingest_total')).toBe(3);
    // Nothing more for the events ingest planned in full (the batch's writes are all acknowledged by now).
    expect(log.records(topics.deliveries)).toHaveLength(5);
    expect(await value('hookline_fanout_tasks_total')).toBe(5);
    await fanout.stop();
    await out.stop();
    await view.stop();
    await log.close();
  });
});
