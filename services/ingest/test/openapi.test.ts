import { appRoutes, openApiPath, undocumentedRoutes } from '@hookline/service';
import { describe, expect, it } from 'vitest';
import { ingestOpenApi, inspectIngestApi } from '../src/openapi.js';

type Operation = { security?: unknown; parameters?: { in: string; name: string }[]; responses?: Record<string, unknown> };
type Content = Record<string, { schema: unknown }>;

describe('the ingest API document', () => {
  const api = inspectIngestApi();
  const doc = ingestOpenApi();
  const operation = (path: string, method: string) => (doc.paths?.[path] as Record<string, Operation> | undefined)?.[method];
  // Health, readiness, metrics and the document itself are the service's, not the API's.
  const apiPrefixes = ['/v1/', '/api/webhooks/'];
  const apiPaths = (path: string) => apiPrefixes.some((prefix) => path.startsWith(prefix));

  it('is OpenAPI 3.1 with bearer security and the house error body, and survives JSON', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components?.schemas?.Error).toBeDefined();
    expect(doc.components?.schemas?.AcceptedEvent).toBeDefined();
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('documents a success response for every API route the app mounts', () => {
    const mounted = appRoutes(api.app).filter((r) => apiPaths(r.path));
    expect(mounted.length).toBe(api.routes.length);
    expect(mounted.length).toBeGreaterThan(0);
    for (const prefix of apiPrefixes) expect(undocumentedRoutes(mounted, doc, prefix)).toEqual([]);
  });

  it('documents no path the app does not mount', () => {
    const mounted = new Set(appRoutes(api.app).map((r) => `${r.method} ${openApiPath(r.path)}`));
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method} ${path}`),
    );
    expect(documented.filter((op) => !mounted.has(op))).toEqual([]);
  });

  it('finds a route mounted beside the contract', () => {
    const extra = { method: 'post', path: '/v1/hand-written' };
    expect(undocumentedRoutes([...appRoutes(api.app), extra], doc, '/v1/')).toEqual([extra]);
  });

  it('documents 202 and the idempotent retry (200) of POST /v1/events, its Idempotency-Key and every error code', () => {
    const post = operation('/v1/events', 'post');
    expect(Object.keys(post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '202', '400', '401', '409', '413', '415', '422', '500', '503']),
    );
    expect(post?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]));
    expect(post?.security).toBeUndefined();
    const batch = operation('/v1/events/batch', 'post');
    expect(Object.keys(batch?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '401', '413', '415', '422', '500', '503']));
    expect(Object.keys(batch?.responses ?? {})).not.toContain('409');
  });

  it('documents incoming webhooks as token-authenticated, with JSON or a form in and the challenge as text out', () => {
    const post = operation('/api/webhooks/incoming/{token}', 'post');
    expect(post?.security).toEqual([]);
    expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '202', '404', '413', '415', '422', '503']));
    expect(Object.keys(post?.responses ?? {})).not.toContain('401');
    const content = (post as { requestBody?: { content: Content } }).requestBody?.content ?? {};
    expect(Object.keys(content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    const get = operation('/api/webhooks/incoming/{token}', 'get');
    expect(Object.keys((get?.responses?.['200'] as { content?: Content } | undefined)?.content ?? {})).toEqual(['text/plain']);
    expect(get?.parameters?.map((p) => `${p.in} ${p.name}`).sort()).toEqual(['path token', 'query challenge']);
  });
});
