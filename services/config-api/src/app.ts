import {
  type AccessRules,
  answerUnsupportedMethods,
  createHttpApp,
  errorHandler,
  type HealthCheck,
  type MountedRoute,
  mountRoutes,
  notFoundHandler,
  type OpenApiDocument,
  routesDocument,
  type ServiceLifecycle,
} from '@hookline/service';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type AdminAccessTypes, adminAccessRules } from './access.js';
import { adminPageRoutes, defaultWebDir } from './admin-page.js';
import type { AdminDeps } from './deps.js';
import { adminLimitRules, defaultAdminLimits, rateLimitedAdminRoutes } from './limits.js';
import { adminRoutes } from './routes/index.js';
import { type ScheduleRouteDeps, scheduledExportRoutes } from './routes/scheduled-exports.js';

export interface ConfigApiOptions extends AdminDeps, ScheduleRouteDeps {
  logger: Logger;
  metrics: Registry;
  health: Record<string, HealthCheck>;
  lifecycle?: ServiceLifecycle;
  /** The admin web page's build. */
  webDir?: string;
}

export interface ConfigApi {
  app: Express;
  /** The admin routes as mounted (the OpenAPI document is generated from them). */
  routes: MountedRoute[];
  document(): OpenApiDocument;
}

export const adminPrefix = '/api/admin';
const exportsPrefix = '/api';

/** The admin API's document, generated from the routes an app mounted. */
function adminDocument(routes: MountedRoute[]): OpenApiDocument {
  return routesDocument({ title: 'Hookline admin API (config-api)', routes });
}

/** The config-api app: health, the admin routes under `/api/admin` (declared in `routes/`), its OpenAPI document, the page. */
export function assembleConfigApi(options: ConfigApiOptions): ConfigApi {
  const { logger, metrics, health, lifecycle, webDir = defaultWebDir } = options;
  const app = createHttpApp({ logger, metrics, health, ...(lifecycle ? { lifecycle } : {}) });
  const access: AccessRules<AdminAccessTypes> = {
    ...adminAccessRules(options.config, options.rootToken),
    ...adminLimitRules(options.config, options.limits ?? defaultAdminLimits),
  };
  const admin = mountRoutes(app, adminPrefix, rateLimitedAdminRoutes(adminRoutes(options)), access, { jsonBodyLimit: '256kb' });
  // thig.ai's scheduled exports keep the document's paths (`/api/scheduled-exports`), with the admin API's auth.
  const exports = mountRoutes(app, exportsPrefix, rateLimitedAdminRoutes(scheduledExportRoutes(options)), access, {
    jsonBodyLimit: '256kb',
  });
  const routes = [...admin, ...exports];
  let document: OpenApiDocument | undefined;
  const documentOnce = () => (document ??= adminDocument(routes));
  app.get('/openapi.json', (_req, res) => {
    res.json(documentOnce());
  });
  app.use(adminPageRoutes({ webDir, ingestPublicUrl: options.ingestPublicUrl }));
  answerUnsupportedMethods(app);
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return { app, routes, document: documentOnce };
}
