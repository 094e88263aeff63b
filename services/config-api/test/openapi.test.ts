import { payloadFormatNames, profileNames } from '@hookline/delivery-policy';
import { appRoutes, openApiPath, undocumentedRoutes } from '@hookline/service';
import { signingSchemeNames } from '@hookline/signing';
import { describe, expect, it } from 'vitest';
import { adminPrefix } from '../src/app.js';
import { configApiOpenApi, inspectConfigApi } from '../src/openapi.js';

describe('the admin API document', () => {
  const api = inspectConfigApi();
  const doc = configApiOpenApi();

  it('is OpenAPI 3.1 with bearer security and the house error body, and survives JSON', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components?.schemas?.Error).toBeDefined();
    expect(doc.paths?.['/api/admin/tenants']?.post?.security).toEqual([{ operatorToken: [] }]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('shows the registries’ enums in the Webhook response, as in the request', () => {
    const webhook = doc.components?.schemas?.Webhook as { properties: Record<string, { enum?: string[]; oneOf?: unknown[] }> } | undefined;
    const shown = webhook?.properties ?? {};
    expect(shown.profile?.enum).toEqual([...profileNames]);
    expect(shown.payloadFormat?.enum).toEqual([...payloadFormatNames]);
    expect(shown.signature?.oneOf).toHaveLength(signingSchemeNames.length);
  });

  it('documents a success response for every route the app mounts under /api/admin (and /api/scheduled-exports)', () => {
    const mounted = appRoutes(api.app).filter((r) => r.path.startsWith(adminPrefix) || r.path.startsWith('/api/scheduled-exports'));
    expect(mounted.length).toBe(api.routes.length);
    expect(undocumentedRoutes(mounted, doc, '/api/')).toEqual([]);
  });

  it('documents no path the app does not mount', () => {
    const mounted = new Set(appRoutes(api.app).map((r) => `${r.method} ${openApiPath(r.path)}`));
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method} ${path}`),
    );
    expect(documented.filter((op) => !mounted.has(op))).toEqual([]);
  });

  it('finds a route mounted beside the contract', () => {
    const extra = { method: 'get', path: '/api/admin/hand-written' };
    expect(undocumentedRoutes([...appRoutes(api.app), extra], doc, adminPrefix)).toEqual([extra]);
  });

  it("describes request bodies with the routes' own schemas", () => {
    const body = doc.paths?.['/api/admin/webhooks']?.post?.requestBody;
    const schema = (body as { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> }).content[
      'application/json'
    ]!.schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['url', 'events', 'profile']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'url', 'events']));
  });

  it('lists the error codes access checks imply (a viewer is forbidden, another tenant’s webhook is not found)', () => {
    const patch = doc.paths?.['/api/admin/webhooks/{id}']?.patch?.responses ?? {};
    expect(Object.keys(patch)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '422', '500']));
    const read = doc.paths?.['/api/admin/webhooks']?.get?.responses ?? {};
    expect(Object.keys(read)).not.toContain('403');
  });
});
