import {
  ConfigState,
  configKey,
  type DeliveryTask,
  type EndpointRecord,
  type EventEnvelope,
  testEndpoint,
  topicNames,
} from '@hookline/core';
import { createMemoryEventLog, recordJson } from '@hookline/kafka';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EntryPlanner } from '../src/plan.js';
import { BrokerGate, EventPublisher } from '../src/publish.js';

const topics = topicNames('test.');
const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const event = (id: string): EventEnvelope => ({
  id,
  type: 'order.created',
  tenantId: 'ten_1',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: {},
});
const endpoint = (id: string): EndpointRecord => testEndpoint(id, { events: ['order.*'] });

/** Ingest's config view: ep_a, and whatever else the test adds. */
function configWith(...more: EndpointRecord[]) {
  const state = new ConfigState();
  for (const e of [endpoint('ep_a'), ...more]) state.apply(configKey('endpoint', e.id), e);
  return { state };
}

async function publish(config: { state: ConfigState }, maxTasks = 64) {
  const log = createMemoryEventLog();
  const metrics = new Registry();
  const planner = new EntryPlanner({ config, topics, maxTasks, maxBytes: 1024 * 1024, metrics });
  const events = new EventPublisher(await log.publisher(), planner, new BrokerGate(15_000));
  await events.publish([event('evt_1'), event('evt_2')]);
  const tasks = log.records(topics.deliveries).map((r) => ({ key: r.key, task: recordJson<DeliveryTask>(r), headers: r.headers }));
  const written = log.records(topics.events).map((r) => ({ id: recordJson<EventEnvelope>(r).id, headers: r.headers }));
  const planners = (await metrics.getSingleMetric('hookline_ingest_events_planned_total')?.get())?.values ?? [];
  await log.close();
  return { tasks, written, planners: Object.fromEntries(planners.map((v) => [v.labels.planner, v.value])) };
}

describe('ingest planning deliveries', () => {
  it("writes the events' tasks with them, and marks each event with the endpoints it was planned for", async () => {
    const { tasks, written, planners } = await publish(configWith(endpoint('ep_b')));
    expect(tasks.map((t) => `${t.task.eventId}>${t.key}`)).toEqual(['evt_1>ep_a', 'evt_1>ep_b', 'evt_2>ep_a', 'evt_2>ep_b']);
    expect(tasks[0]!.task).toMatchObject({ attempt: 1, event: event('evt_1') });
    const marked = { 'hookline-origin': 'hookline', 'hookline-planned': '["ep_a","ep_b"]' };
    expect(written).toEqual([
      { id: 'evt_1', headers: marked },
      { id: 'evt_2', headers: marked },
    ]);
    expect(planners).toEqual({ ingest: 2 });
  });

  it('leaves the events to fanout, unmarked, when an endpoint is disabled or planning is off', async () => {
    for (const [config, maxTasks] of [
      [configWith({ ...endpoint('ep_off'), isActive: false }), 64],
      [configWith(), 0],
    ] as const) {
      const { tasks, written, planners } = await publish(config, maxTasks);
      expect(tasks).toEqual([]);
      expect(written.map((w) => w.headers)).toEqual([{ 'hookline-origin': 'hookline' }, { 'hookline-origin': 'hookline' }]);
      expect(planners).toEqual({ fanout: 2 });
    }
  });

  it("carries each event's trace context on its tasks", () => {
    const planner = new EntryPlanner({ config: configWith(), topics, maxTasks: 64, maxBytes: 1024 * 1024, metrics: new Registry() });
    const records = planner.recordsOf([{ event: event('evt_1'), traceparent: parent }]);
    expect(records.map((b) => [b.topic, b.records.map((r) => r.headers?.traceparent)])).toEqual([
      [topics.deliveries, [parent]],
      [topics.events, [parent]],
    ]);
  });

  it('plans no more than its byte budget per call: the events past it go to fanout, unmarked', () => {
    const big = (id: string): EventEnvelope => ({ ...event(id), data: { pad: 'x'.repeat(40_000) } });
    const planner = new EntryPlanner({
      config: configWith(endpoint('ep_b')),
      topics,
      maxTasks: 64,
      maxBytes: 200_000,
      metrics: new Registry(),
    });
    // Two tasks of ~40 kB per event: the budget holds two events' tasks, not three.
    const [tasks, events] = planner.recordsOf(['evt_1', 'evt_2', 'evt_3'].map((id) => ({ event: big(id), traceparent: undefined })));
    expect(tasks!.records.map((r) => (JSON.parse(String(r.value)) as DeliveryTask).eventId)).toEqual(['evt_1', 'evt_1', 'evt_2', 'evt_2']);
    expect(events!.records.map((r) => r.headers?.['hookline-planned'])).toEqual(['["ep_a","ep_b"]', '["ep_a","ep_b"]', undefined]);
  });
});
