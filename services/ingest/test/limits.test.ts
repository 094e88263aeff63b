import { describe, expect, it } from 'vitest';
import { eventCost } from '../src/limits.js';
import { ingestOpenApi } from '../src/openapi.js';

describe('ingest rate limits', () => {
  it('counts each event of a batch, and a single event as one', () => {
    expect(eventCost({ events: [{}, {}, {}] })).toBe(3);
    expect(eventCost({ events: [] })).toBe(1);
    expect(eventCost({ type: 'a.b', data: {} })).toBe(1);
    expect(eventCost(undefined)).toBe(1);
  });

  it('documents 429 with Retry-After on the event routes and on incoming webhooks’ POST', () => {
    const doc = ingestOpenApi();
    const responses = (path: string, method: string) =>
      (doc.paths![path] as Record<string, { responses: Record<string, { description: string; headers?: object }> }>)[method]!.responses;
    for (const [path, method] of [
      ['/v1/events', 'post'],
      ['/v1/events/batch', 'post'],
      ['/api/webhooks/incoming/{token}', 'post'],
    ] as const) {
      expect(responses(path, method)['429']?.description).toContain('rate_limited');
      expect(responses(path, method)['429']?.headers).toHaveProperty('Retry-After');
    }
    expect(responses('/api/webhooks/incoming/{token}', 'get')['429']).toBeUndefined();
  });
});
