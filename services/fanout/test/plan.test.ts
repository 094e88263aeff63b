import { ConfigState, deliveryIdFor, type EndpointRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { planDeliveries } from '../src/plan.js';

function endpoint(id: string, events: string[], isActive = true): EndpointRecord {
  return {
    kind: 'endpoint',
    id,
    tenantId: 'ten_1',
    name: id,
    url: 'http://x',
    events,
    secrets: [{ secret: 's' }],
    isActive,
    createdAt: '',
    updatedAt: '',
  };
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
