import { type EventEnvelope, topicNames } from '@hookline/core';
import { createMemoryEventLog } from '@hookline/kafka';
import { describe, expect, it } from 'vitest';
import { BrokerGate, EventPublisher } from '../src/publish.js';
import { eventsOnlyPlanner } from './planner-fixture.js';

const topics = topicNames('test.');
const event = (id: string, tenantId: string): EventEnvelope => ({
  id,
  type: 'order.created',
  tenantId,
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { id },
});

describe('EventPublisher', () => {
  it('puts events on the events topic as JSON keyed by tenant, in order, and resolves once they are written', async () => {
    const log = createMemoryEventLog();
    const events = new EventPublisher(await log.publisher(), eventsOnlyPlanner(topics), new BrokerGate(15_000));
    const envelopes = [event('evt_1', 'ten_a'), event('evt_2', 'ten_b'), event('evt_3', 'ten_a')];
    await events.publish(envelopes);
    const records = log.records(topics.events);
    expect(records.map((r) => r.key)).toEqual(['ten_a', 'ten_b', 'ten_a']);
    expect(log.values(topics.events)).toEqual(envelopes);
    await log.close();
  });

  it('passes a refused write on, so the caller answers with an error and never 202', async () => {
    const log = createMemoryEventLog();
    const events = new EventPublisher(await log.publisher(), eventsOnlyPlanner(topics), new BrokerGate(15_000));
    log.failPublishes(new Error('broker away'));
    await expect(events.publish([event('evt_1', 'ten_a')])).rejects.toThrow('broker away');
    expect(log.records(topics.events)).toEqual([]);
    await log.close();
  });
});
