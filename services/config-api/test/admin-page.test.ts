import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeServer, createLogger, errorHandler, listen, notFoundHandler } from '@hookline/service';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPageRoutes } from '../src/admin-page.js';

const logger = createLogger('admin-page-test', 'silent');
let webDir: string;
const servers: Server[] = [];

async function serve(dir: string): Promise<string> {
  const app = express();
  app.use(adminPageRoutes({ webDir: dir, ingestPublicUrl: undefined }));
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  const { server, port } = await listen(app, 0);
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}

beforeAll(() => {
  webDir = mkdtempSync(join(tmpdir(), 'hookline-web-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(webDir, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => closeServer(s)));
  rmSync(webDir, { recursive: true, force: true });
});

describe('the admin page routes', () => {
  it('redirects / and /admin to /admin/', async () => {
    const base = await serve(webDir);
    for (const [path, location] of [
      ['/', '/admin/'],
      ['/admin', '/admin/'],
    ]) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBeGreaterThanOrEqual(301);
      expect(response.headers.get('location')).toBe(location);
    }
  });

  it('answers index.html for every page path, revalidated, with a CSP that allows no inline code', async () => {
    const base = await serve(webDir);
    for (const path of ['/admin/', '/admin/webhooks', '/admin/webhooks/ep_1/deliveries/msg_1']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<title>page</title>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('caches hashed assets for a year and answers 404 (JSON) for missing ones', async () => {
    const base = await serve(webDir);
    const asset = await fetch(`${base}/admin/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${base}/admin/assets/index-old.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('says how to build the page when there is no build', async () => {
    const base = await serve(join(webDir, 'nowhere'));
    const response = await fetch(`${base}/admin/webhooks`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('pnpm --filter @hookline/web build');
  });
});
