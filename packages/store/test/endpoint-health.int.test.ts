import type { EndpointStatusRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { circuitHistoryLimit, ExpiredDocuments, type Store } from '../src/index.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('health', (connected) => {
  store = connected;
});

const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, s)).toISOString();
const transition = (endpointId: string, from: string, to: string, s: number): EndpointStatusRecord =>
  ({ kind: 'circuit-transition', v: 1, endpointId, from, to, at: at(s), reason: `${from} to ${to}` }) as EndpointStatusRecord;

describe('EndpointHealth (real MongoDB-wire server)', () => {
  it('folds circuit transitions and blocked lanes per endpoint, once per offset, and answers state, history and lanes', async () => {
    const records: EndpointStatusRecord[] = [
      { ...transition('ep_a', 'closed', 'open', 1), failed: 4, attempts: 4, until: at(6) } as EndpointStatusRecord,
      { kind: 'lane-blocked', v: 1, endpointId: 'ep_b', key: '"o1"', since: at(2) },
      { kind: 'lane-blocked', v: 1, endpointId: 'ep_b', key: '"o2"', since: at(3) },
      transition('ep_a', 'open', 'half-open', 6),
      { kind: 'lane-cleared', v: 1, endpointId: 'ep_b', key: '"o1"', at: at(7), reason: 'the head was delivered' },
    ];
    const positioned = records.map((value, offset) => ({ value, offset }));
    await store.health.fold(positioned.slice(0, 3), 0);
    // The whole batch again (a crash before the commit): the first three are not folded twice.
    await store.health.fold(positioned, 0);
    const a = await store.health.endpoint('ep_a');
    expect(a.circuit).toMatchObject({ state: 'half-open', since: at(6), reason: 'open to half-open' });
    expect(a.circuit.history.map((t) => [t.from, t.to])).toEqual([
      ['open', 'half-open'],
      ['closed', 'open'],
    ]);
    expect(a.circuit.history[1]).toMatchObject({ failed: 4, attempts: 4, until: at(6) });
    expect(a.ordering).toEqual({ blocked: false, blockedSince: null, blockedLanes: 0, lanes: [] });
    const b = await store.health.endpoint('ep_b');
    expect(b.circuit).toEqual({ state: 'closed', since: null, history: [] });
    expect(b.ordering).toEqual({ blocked: true, blockedSince: at(3), blockedLanes: 1, lanes: [{ key: '"o2"', since: at(3) }] });
  });

  it(`keeps the latest ${circuitHistoryLimit} transitions of an endpoint, and they expire with the attempt log`, async () => {
    const flapping = Array.from({ length: circuitHistoryLimit + 5 }, (_, i) => ({
      value: transition('ep_flap', i % 2 ? 'open' : 'closed', i % 2 ? 'closed' : 'open', i),
      offset: 100 + i,
    }));
    await store.health.fold(flapping, 1);
    const view = await store.health.endpoint('ep_flap');
    expect(view.circuit.history).toHaveLength(circuitHistoryLimit);
    expect(view.circuit.history[0]!.at).toBe(at(circuitHistoryLimit + 4));
    expect(await store.health.transitions.countDocuments({ endpointId: 'ep_flap' })).toBe(circuitHistoryLimit);
    const expired = new ExpiredDocuments(store.db, 'circuit_transitions');
    await expired.ensureIndexes();
    await expired.deleteBatch(new Date(at(10)), 1_000);
    // Seconds 5 to 9 of those left were older than the cutoff.
    expect(await store.health.transitions.countDocuments({ endpointId: 'ep_flap' })).toBe(circuitHistoryLimit - 5);
  });
});
