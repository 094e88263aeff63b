import { requestJson } from '@hookline/testkit';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

const ctx = useHookline();

describe('GET /openapi.json', () => {
  it('is served by config-api and ingest as OpenAPI 3.1', async () => {
    for (const [base, path] of [
      [ctx.hookline.configApiUrl, '/api/admin/webhooks'],
      [ctx.hookline.ingestUrl, '/v1/events'],
    ] as const) {
      const res = await requestJson('GET', `${base}/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(res.body.paths[path]).toBeDefined();
    }
  });
});
