import { describe, expect, it } from 'vitest';
import {
  ConfigState,
  type EndpointRecord,
  type EventEnvelope,
  endpointWants,
  filterMatches,
  mapFields,
  patternMatches,
  testEndpoint,
} from '../src/index.js';

const endpoint = (over: Partial<EndpointRecord> = {}): EndpointRecord =>
  testEndpoint('ep_1', { name: 'e', url: 'http://127.0.0.2', events: ['project.*'], secrets: [{ secret: 'whsec_x' }], ...over });
const event = (over: Partial<EventEnvelope> = {}): EventEnvelope => ({
  id: 'evt_1',
  type: 'project.created',
  tenantId: 'ten_1',
  timestamp: new Date().toISOString(),
  data: {},
  ...over,
});

describe('patternMatches', () => {
  it.each([
    ['*', 'a', true],
    ['a.b', 'a.b', true],
    ['a.b', 'a.bc', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a.b.c', true],
    ['a.*', 'a', false],
    ['a.*', 'ab.c', false],
    ['*', 'hookline.alert', false],
    ['hookline.*', 'hookline.alert', true],
    ['hookline.alert', 'hookline.alert', true],
  ])('%s vs %s → %s', (pattern, type, expected) => {
    expect(patternMatches(pattern, type)).toBe(expected);
  });
});

describe('endpointWants', () => {
  it('requires an active endpoint of the same tenant with a matching pattern', () => {
    expect(endpointWants(endpoint(), event())).toBe(true);
    expect(endpointWants(endpoint({ isActive: false }), event())).toBe(false);
    expect(endpointWants(endpoint({ tenantId: 'ten_2' }), event())).toBe(false);
    expect(endpointWants(endpoint({ events: ['prd.generated'] }), event())).toBe(false);
  });

  it('filters on channels when the endpoint names some', () => {
    const ep = endpoint({ channels: ['general'] });
    expect(endpointWants(ep, event({ channels: ['general', 'x'] }))).toBe(true);
    expect(endpointWants(ep, event({ channels: ['random'] }))).toBe(false);
    expect(endpointWants(ep, event())).toBe(false);
    expect(endpointWants(endpoint(), event({ channels: ['random'] }))).toBe(true);
  });
});

describe('ConfigState', () => {
  it('indexes endpoints by tenant and forgets them on a tombstone', () => {
    const state = new ConfigState();
    state.apply('endpoint:ep_1', endpoint());
    state.apply('endpoint:ep_2', endpoint({ id: 'ep_2', tenantId: 'ten_2' }));
    expect([...state.endpointsOf('ten_1')].map((e) => e.id)).toEqual(['ep_1']);
    state.apply('endpoint:ep_1', null);
    expect([...state.endpointsOf('ten_1')]).toEqual([]);
    expect(state.endpoints.has('ep_2')).toBe(true);
  });

  it('replaces an API key hash when the key record changes', () => {
    const state = new ConfigState();
    const key = {
      kind: 'apiKey' as const,
      id: 'key_1',
      tenantId: 't',
      name: 'k',
      role: 'owner' as const,
      keyHash: 'h1',
      keyPrefix: 'hk_',
      createdAt: '',
      updatedAt: '',
    };
    state.apply('apiKey:key_1', key);
    state.apply('apiKey:key_1', { ...key, keyHash: 'h2' });
    expect(state.apiKeysByHash.has('h1')).toBe(false);
    expect(state.apiKeysByHash.get('h2')?.id).toBe('key_1');
    state.apply('apiKey:key_1', null);
    expect(state.apiKeysByHash.size).toBe(0);
  });
});

describe('payload filter', () => {
  const data = { status: 'COMPLETED', project: { priority: 'high', archived: false }, count: 3, nothing: null };

  it('requires every condition: equality or one of a list, on dot paths', () => {
    expect(filterMatches({ status: 'COMPLETED' }, data)).toBe(true);
    expect(filterMatches({ status: 'FAILED' }, data)).toBe(false);
    expect(filterMatches({ 'project.priority': ['high', 'urgent'], count: 3 }, data)).toBe(true);
    expect(filterMatches({ 'project.priority': ['low'] }, data)).toBe(false);
    expect(filterMatches({ 'project.archived': false, nothing: null }, data)).toBe(true);
    expect(filterMatches({ 'project.missing': null }, data)).toBe(false);
    expect(filterMatches({ 'status.length': 9 }, data)).toBe(false);
    expect(filterMatches({ '__proto__.polluted': true }, data)).toBe(false);
  });

  it('applies to endpoints that set one', () => {
    expect(endpointWants(endpoint({ filter: { n: 1 } }), event({ data: { n: 1 } }))).toBe(true);
    expect(endpointWants(endpoint({ filter: { n: 1 } }), event({ data: { n: 2 } }))).toBe(false);
    expect(endpointWants(endpoint({ filter: { n: 1 } }), event({ data: 'not an object' }))).toBe(false);
  });
});

describe('mapFields', () => {
  it('copies sources to targets by dot path, leaving out missing sources', () => {
    const body = { issue: { title: 'Bug', labels: ['a'] }, sender: { login: 'octo' }, __proto__: { evil: 1 } };
    expect(mapFields({ title: 'issue.title', 'meta.by': 'sender.login', 'meta.labels': 'issue.labels', gone: 'issue.nope' }, body)).toEqual(
      {
        title: 'Bug',
        meta: { by: 'octo', labels: ['a'] },
      },
    );
    expect(mapFields({ x: 'evil' }, body)).toEqual({});
  });
});
