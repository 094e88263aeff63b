import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '@hookline/core';
import express, { type RequestHandler, Router } from 'express';

/** Where `pnpm --filter @hookline/web build` puts the page (overridable with CONFIG_API_WEB_DIR). */
export const defaultWebDir = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export interface AdminPageOptions {
  webDir: string;
  /** Public origin of ingest, so the page can show incoming webhooks' full URLs; paths only when unknown. */
  ingestPublicUrl: string | undefined;
}

// The page loads only its own script and style; server data is rendered as text (lit-html escapes it).
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({ 'content-security-policy': contentSecurityPolicy, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  next();
};

/**
 * The admin web page at `/admin/` (a single-page app: every `/admin/...` path answers its index.html), and `/`
 * redirects there. Hashed assets are cached for a year; index.html is revalidated so a deploy shows at once.
 */
export function adminPageRoutes({ webDir }: AdminPageOptions): Router {
  const router = Router();
  const index = join(webDir, 'index.html');
  router.get('/', (_req, res) => res.redirect(302, '/admin/'));
  router.use('/admin/assets', securityHeaders, express.static(join(webDir, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  // A missing asset is a 404, not the page (a stale index.html asking for an old hash must not get HTML).
  router.use('/admin/assets', (_req, _res, next) => next(new ApiError('not_found', 'no such asset')));
  router.get(['/admin', '/admin/{*path}'], securityHeaders, (req, res) => {
    if (req.path === '/admin') return res.redirect(301, '/admin/');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The admin page is not built: run `corepack pnpm --filter @hookline/web build` (./dev up does).');
      return;
    }
    res.set('cache-control', 'no-cache').sendFile(index);
  });
  return router;
}
