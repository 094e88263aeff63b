import { ConfigState, deliveryIdFor, type EndpointRecord, testEndpoint } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { planAtEntry, planDeliveries } from '../src/fan-out.js';

function endpoint(id: string, events: string[], isActive = true, extra: Partial<EndpointRecord> = {}): EndpointRecord {
  return testEndpoint(id, { ...extra, url: 'http://x', events, isActive });
}

describe('planDeliveries', () => {
  it('emits one task per matching endpoint (disabled ones too, to be parked) with deterministic delivery ids', () => {
    const state = new ConfigState();
    state.apply('endpoint:a', endpoint('a', ['project.*']));
    state.apply('endpoint:b', endpoint('b', ['prd.generated']));
    state.apply('endpoint:c', endpoint('c', ['*'], false));
    state.apply('endpoint:d', endpoint('d', ['project.created', 'prd.*']));
    const event = { id: 'evt_1', type: 'project.created', tenantId: 'ten_1', timestamp: new Date().toISOString(), data: {} };
    const planned = [...planDeliveries(event, state, 42)];
    const tasks = planned.map((p) => p.task);
    expect(planned.map((p) => [p.task.endpointId, p.endpoint.isActive]).sort()).toEqual([
      ['a', true],
      ['c', false],
      ['d', true],
    ]);
    expect(tasks[0]).toMatchObject({ attempt: 1, dueAt: 42, deliveryId: deliveryIdFor('evt_1', tasks[0]!.endpointId) });
  });
});

describe('planDeliveries output', () => {
  it('writes tasks byte-for-byte as before (the previous shape, field order included)', () => {
    const state = new ConfigState();
    state.apply('endpoint:a', endpoint('a', ['*']));
    const event = { id: 'evt_2', type: 'x.y', tenantId: 'ten_1', timestamp: '2026-01-01T00:00:00.000Z', data: { k: [1, 2] } };
    const previous = {
      deliveryId: deliveryIdFor('evt_2', 'a'),
      eventId: 'evt_2',
      endpointId: 'a',
      tenantId: 'ten_1',
      attempt: 1,
      dueAt: 9,
      event,
    };
    expect(JSON.stringify([...planDeliveries(event, state, 9)][0]?.task)).toBe(JSON.stringify(previous));
  });
});

describe('planAtEntry', () => {
  const event = { id: 'evt_1', type: 'project.created', tenantId: 'ten_1', timestamp: '2026-01-01T00:00:00.000Z', data: {} };
  const stateOf = (...endpoints: EndpointRecord[]) => {
    const state = new ConfigState();
    for (const e of endpoints) state.apply(`endpoint:${e.id}`, e);
    return state;
  };

  it('plans the tasks fanout would, and none for a tenant without subscribers', () => {
    const state = stateOf(endpoint('a', ['project.*']), endpoint('b', ['prd.generated']));
    expect(planAtEntry(event, state, 64, 7)).toEqual([...planDeliveries(event, state, 7)].map((p) => p.task));
    expect(planAtEntry({ ...event, tenantId: 'ten_2' }, state, 64)).toEqual([]);
  });

  it('leaves to fanout an event to a disabled endpoint (parked there), to a strictly ordered one, or to more than the most', () => {
    expect(planAtEntry(event, stateOf(endpoint('a', ['*']), endpoint('c', ['*'], false)), 64)).toBeUndefined();
    expect(planAtEntry(event, stateOf(endpoint('a', ['*']), endpoint('o', ['*'], true, { ordering: 'strict' })), 64)).toBeUndefined();
    const three = stateOf(endpoint('a', ['*']), endpoint('b', ['*']), endpoint('c', ['*']));
    expect(planAtEntry(event, three, 2)).toBeUndefined();
    expect(planAtEntry(event, three, 3)).toHaveLength(3);
  });
});
