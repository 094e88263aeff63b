import type { EndpointRecord } from '../schemas.js';

/**
 * An endpoint record as the config view holds one, for tests: active, subscribed to everything, one plain secret,
 * on a loopback URL, with `over` on top. The one place a test builds the record's shape, so a field the record
 * gains changes here and not in every test that needs an endpoint.
 */
export function testEndpoint(id: string, over: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    kind: 'endpoint',
    id,
    tenantId: 'ten_1',
    name: id,
    url: `http://127.0.0.1:9/${id}`,
    events: ['*'],
    secrets: [{ secret: 's' }],
    isActive: true,
    createdAt: '',
    updatedAt: '',
    ...over,
  };
}
