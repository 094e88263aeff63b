import { type ApiKeyRecord, ConfigState, configKey, tenantRecord } from '@hookline/core';
import { QuotaExceeded } from '@hookline/service';
import { describe, expect, it } from 'vitest';
import { configApiOpenApi } from '../src/openapi.js';
import { defaultQuotaLimits, quotaRules, quotaUsage } from '../src/quotas.js';

const at = '2026-01-01T00:00:00.000Z';
const owner: ApiKeyRecord = {
  kind: 'apiKey',
  id: 'key_1',
  tenantId: 'ten_1',
  name: 'owner',
  role: 'owner',
  keyHash: 'h',
  keyPrefix: 'hk_',
  createdAt: at,
  updatedAt: at,
};

function stateWith(endpoints: number): ConfigState {
  const state = new ConfigState();
  // A tenant record as the previous version wrote it (no `quotas` field) still parses and gets the defaults.
  const previousShape = JSON.parse(JSON.stringify({ kind: 'tenant', id: 'ten_1', name: 'Acme', createdAt: at, updatedAt: at }));
  state.apply(configKey('tenant', 'ten_1'), tenantRecord.parse(previousShape));
  state.apply(configKey('apiKey', owner.id), owner);
  for (let i = 0; i < endpoints; i++) {
    state.apply(configKey('endpoint', `ep_${i}`), {
      kind: 'endpoint',
      id: `ep_${i}`,
      tenantId: 'ten_1',
      name: 'e',
      url: 'http://127.0.0.2/',
      events: ['*'],
      isActive: true,
      secrets: [{ secret: 'whsec_x' }],
      createdAt: at,
      updatedAt: at,
    } as never);
  }
  return state;
}

describe('quotas', () => {
  it('counts what the tenant has against the default or its override', () => {
    const state = stateWith(2);
    const limits = { ...defaultQuotaLimits, endpoints: 2 };
    expect(quotaUsage(state, limits, 'ten_1')).toContainEqual({ quota: 'endpoints', limit: 2, used: 2, overridden: false });
    expect(quotaUsage(state, limits, 'ten_1')).toContainEqual({ quota: 'apiKeys', limit: 100, used: 1, overridden: false });
    const rules = quotaRules({ state }, limits);
    expect(() => rules.endpoints(owner)).toThrow(QuotaExceeded);
    expect(() => rules.apiKeys(owner)).not.toThrow();

    const tenant = state.tenants.get('ten_1')!;
    state.apply(configKey('tenant', 'ten_1'), { ...tenant, quotas: { endpoints: 3 } });
    expect(() => rules.endpoints(owner)).not.toThrow();
    expect(quotaUsage(state, limits, 'ten_1')).toContainEqual({ quota: 'endpoints', limit: 3, used: 2, overridden: true });
  });

  it('answers with the quota, the limit and the usage', () => {
    const rules = quotaRules({ state: stateWith(0) }, { ...defaultQuotaLimits, endpoints: 0 });
    let error: unknown;
    try {
      rules.endpoints(owner);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ status: 403, code: 'quota_exceeded', details: { quota: 'endpoints', limit: 0, used: 0 } });
  });
});

describe('the document', () => {
  const doc = configApiOpenApi();
  const responses = (path: string, method: string) =>
    (doc.paths![path] as Record<string, { responses: Record<string, { description: string; headers?: object }> }>)[method]!.responses;

  it('lists quota_exceeded on the create routes and 429 with Retry-After on every route an API key calls', () => {
    for (const path of ['/api/admin/webhooks', '/api/admin/api-keys', '/api/admin/event-types', '/api/admin/incoming-webhooks']) {
      expect(responses(path, 'post')['403']?.description).toContain('quota_exceeded');
      expect(responses(path, 'post')['429']?.headers).toHaveProperty('Retry-After');
    }
    expect(responses('/api/admin/webhooks', 'get')['429']?.description).toContain('rate_limited');
    expect(responses('/api/admin/webhooks', 'get')['403']).toBeUndefined();
    // Operator routes are not rate limited.
    expect(responses('/api/admin/tenants', 'post')['429']).toBeUndefined();
  });
});
