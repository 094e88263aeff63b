import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestOpenApi } from '../../ingest/src/openapi.js';
import { configApiOpenApi } from '../src/openapi.js';

const configPaths = [
  '/api/admin/tenants',
  '/api/admin/webhooks',
  '/api/admin/webhooks/{id}',
  '/api/admin/webhooks/{id}/secret/rotate',
  '/api/admin/webhooks/{id}/test',
  '/api/admin/webhooks/{id}/deliveries',
  '/api/admin/webhooks/{id}/deliveries/{deliveryId}',
  '/api/admin/deliveries',
  '/api/admin/webhooks/{id}/dead-letters',
  '/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry',
  '/api/admin/webhooks/{id}/replay',
  '/api/admin/webhooks/{id}/recover',
  '/api/admin/replays/{jobId}',
  '/api/admin/webhooks/{id}/stats',
  '/api/admin/stats',
  '/api/admin/api-keys',
  '/api/admin/api-keys/{id}',
  '/api/admin/incoming-webhooks',
  '/api/admin/incoming-webhooks/{id}',
  ...(existsSync(new URL('../src/event-types.ts', import.meta.url)) ? ['/api/admin/event-types', '/api/admin/event-types/{name}'] : []),
];
const ingestPaths = ['/v1/events', '/v1/events/batch', '/api/webhooks/incoming/{token}'];

describe('OpenAPI documents', () => {
  const config = configApiOpenApi();
  const ingest = ingestOpenApi();

  it('are OpenAPI 3.1 with bearer security', () => {
    for (const doc of [config, ingest]) {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.components?.schemas?.Error).toBeDefined();
      JSON.parse(JSON.stringify(doc));
    }
    expect(config.paths?.['/api/admin/tenants']?.post?.security).toEqual([{ operatorToken: [] }]);
  });

  it('cover every route', () => {
    expect(Object.keys(config.paths ?? {})).toEqual(expect.arrayContaining(configPaths));
    expect(Object.keys(ingest.paths ?? {})).toEqual(expect.arrayContaining(ingestPaths));
    expect(ingest.paths?.['/api/webhooks/incoming/{token}']?.get).toBeDefined();
    expect(ingest.paths?.['/api/webhooks/incoming/{token}']?.post).toBeDefined();
    expect(ingest.paths?.['/v1/events/batch']?.post?.requestBody).toBeDefined();
  });

  it("describe request bodies with the routes' own schemas", () => {
    const body = config.paths?.['/api/admin/webhooks']?.post?.requestBody;
    const schema = (body as { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> }).content['application/json']!.schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['url', 'events', 'profile']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'url', 'events']));
  });
});
