import { describe, expect, it } from 'vitest';
import { ConfigState } from '../src/config-state.js';
import { configKey, type EventTypeRecord } from '../src/schemas.js';

const type = (tenantId: string, name: string): EventTypeRecord => ({
  kind: 'eventType',
  id: `${tenantId}:${name}`,
  tenantId,
  name,
  createdAt: 'now',
  updatedAt: 'now',
});

describe('ConfigState event types', () => {
  it('indexes a catalog per tenant and forgets a type on its tombstone', () => {
    const state = new ConfigState();
    state.apply(configKey('eventType', 'tn_a:order.placed'), type('tn_a', 'order.placed'));
    state.apply(configKey('eventType', 'tn_a:order.shipped'), type('tn_a', 'order.shipped'));
    state.apply(configKey('eventType', 'tn_b:order.placed'), type('tn_b', 'order.placed'));
    expect([...state.eventTypesOf('tn_a')].map((t) => t.name)).toEqual(['order.placed', 'order.shipped']);
    expect(state.eventType('tn_b', 'order.shipped')).toBeUndefined();

    state.apply(configKey('eventType', 'tn_a:order.placed'), null);
    expect(state.eventType('tn_a', 'order.placed')).toBeUndefined();
    expect(state.eventType('tn_b', 'order.placed')).toBeDefined();
    state.apply(configKey('eventType', 'tn_a:order.shipped'), null);
    expect([...state.eventTypesOf('tn_a')]).toEqual([]);
  });
});
