/**
 * Memory of the config view per endpoint: every service that routes or delivers (ingest, fanout, delivery,
 * projector, config-api) folds the whole `config` topic into a `ConfigState`. Builds N endpoints the way the
 * view does (JSON text -> configRecord.parse -> apply), 100 per tenant, each with a sealed secret, two headers,
 * three event patterns and a URL of typical length, and prints the heap they take.
 * `corepack pnpm bench:config-memory [endpoints]`
 */
import { ConfigState, configKey, configRecord } from '@hookline/core';

const count = Number(process.argv[2] ?? 200_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const sealed = (n: number) => `v1:k1:${Buffer.alloc(60, n % 251).toString('base64url')}`;
const now = new Date().toISOString();
function endpointJson(i: number): string {
  const tenantId = `ten_${Math.floor(i / 100)
    .toString(36)
    .padStart(20, '0')}`;
  return JSON.stringify({
    kind: 'endpoint',
    version: 3,
    id: `ep_${i.toString(36).padStart(24, '0')}`,
    tenantId,
    name: `orders webhook ${i}`,
    url: `https://hooks-${i % 997}.customer.test/api/webhooks/hookline/${i}`,
    events: ['order.created', 'order.updated', 'invoice.*'],
    secrets: [{ secret: sealed(i) }],
    headers: { 'x-team': sealed(i + 1), 'x-env': sealed(i + 2) },
    isActive: true,
    createdAt: now,
    updatedAt: now,
  });
}

gc();
const before = process.memoryUsage().heapUsed;
const state = new ConfigState();
for (let i = 0; i < count; i++) {
  if (i % 100 === 0) {
    const tenantId = `ten_${Math.floor(i / 100)
      .toString(36)
      .padStart(20, '0')}`;
    const tenant = { kind: 'tenant', id: tenantId, name: `tenant ${i / 100}`, createdAt: now, updatedAt: now };
    state.apply(configKey('tenant', tenantId), configRecord.parse(tenant));
  }
  const record = configRecord.parse(JSON.parse(endpointJson(i)));
  state.apply(configKey('endpoint', record.id), record);
}
gc();
const bytes = process.memoryUsage().heapUsed - before;
const perEndpoint = bytes / count;
console.log(
  JSON.stringify({
    endpoints: state.endpoints.size,
    heapBytes: bytes,
    bytesPerEndpoint: Math.round(perEndpoint),
    mibPerMillionEndpoints: Math.round((perEndpoint * 1e6) / 2 ** 20),
  }),
);
