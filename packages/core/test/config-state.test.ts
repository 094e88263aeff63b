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

describe('ConfigState compare-and-set', () => {
  const key = configKey('eventType', 'tn_a:order.placed');
  const at = (version: number | undefined, description: string): EventTypeRecord => ({
    ...type('tn_a', 'order.placed'),
    description,
    ...(version === undefined ? {} : { version }),
  });

  it('applies a version only on top of the one before it, so the first of two writers from one version wins', () => {
    const state = new ConfigState();
    expect(state.apply(key, at(1, 'created'))).toBe(true);
    expect(state.apply(key, at(2, 'first writer'))).toBe(true);
    expect(state.apply(key, at(2, 'second writer, made from version 1'))).toBe(false);
    expect(state.apply(key, at(4, 'from the future'))).toBe(false);
    expect(state.eventType('tn_a', 'order.placed')?.description).toBe('first writer');
    expect(state.get(key)?.version).toBe(2);
  });

  it('folds records of the previous shape (no version) unconditionally, and versions on top of them', () => {
    const state = new ConfigState();
    expect(state.apply(key, at(undefined, 'old shape'))).toBe(true);
    expect(state.apply(key, at(undefined, 'old shape again'))).toBe(true);
    expect(state.eventType('tn_a', 'order.placed')?.description).toBe('old shape again');
    expect(state.apply(key, at(2, 'not made from the old record'))).toBe(false);
    expect(state.apply(key, at(1, 'made from the old record'))).toBe(true);
    expect(state.apply(key, at(undefined, 'an old writer still running'))).toBe(true);
    expect(state.eventType('tn_a', 'order.placed')?.description).toBe('an old writer still running');
  });

  it('takes any version of a key it never saw (earlier records compacted away); after a tombstone only a creation', () => {
    const state = new ConfigState();
    expect(state.apply(key, at(7, 'survivor of compaction'))).toBe(true);
    expect(state.apply(key, null)).toBe(true);
    expect(state.apply(key, at(8, 'an edit racing the delete'))).toBe(false);
    expect(state.eventType('tn_a', 'order.placed')).toBeUndefined();
    expect(state.apply(key, at(1, 'created again'))).toBe(true);
    expect(state.eventType('tn_a', 'order.placed')?.description).toBe('created again');
  });

  it('every reader of the same records ends in the same state, whatever the interleaving of writers', () => {
    const records: [string, EventTypeRecord | null][] = [
      [key, at(1, 'a')],
      [key, at(2, 'b')],
      [key, at(2, 'c')],
      [key, at(3, 'd')],
      [key, at(3, 'e')],
      [key, null],
      [key, at(4, 'f')],
      [key, at(1, 'g')],
    ];
    const fold = () => {
      const state = new ConfigState();
      for (const [k, v] of records) state.apply(k, v);
      return state.eventType('tn_a', 'order.placed');
    };
    expect(fold()).toEqual(fold());
    expect(fold()?.description).toBe('g');
  });
});
