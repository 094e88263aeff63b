import { type AlertSettingsRecord, alertSettingsShape, configKey, defaultAlertSettings } from '@hookline/core';
import type { AlertDoc } from '@hookline/store';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import type { ConfigAccess } from '../ports.js';
import { list } from './schemas.js';

const alertListQuery = z.object({
  state: z.enum(['firing', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** PUT takes any subset; what is left out keeps its current value. */
const alertSettingsInput = z.object(alertSettingsShape).partial();
export const alertSettings = z.object(alertSettingsShape);
const alertView = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    endpointName: z.string(),
    rule: z.enum(['failed_deliveries', 'response_time', 'success_rate']),
    state: z.enum(['firing', 'resolved']),
    value: z.number(),
    threshold: z.number(),
    message: z.string(),
    firedAt: z.string(),
    resolvedAt: z.string().optional(),
  })
  .meta({ id: 'Alert' });

function toView({ _id, tenantId: _tenant, ...alert }: AlertDoc): z.infer<typeof alertView> {
  return { id: _id, ...alert };
}

function settingsOf(config: ConfigAccess, tenantId: string): z.infer<typeof alertSettings> {
  const stored = config.state.alertSettings.get(tenantId);
  if (!stored) return { ...defaultAlertSettings };
  const { enabled, failedDeliveries24h, responseTimeMs, successRatePercent } = stored;
  return { enabled, failedDeliveries24h, responseTimeMs, successRatePercent };
}

/**
 * The tenant's alerts (raised by the projector) and its alert settings. Settings are tenant configuration, so
 * they live on the `config` topic like endpoints: the projector that evaluates them has them in memory.
 */
export function alertRoutes({ config, publisher, alerts }: AdminDeps) {
  return [
    route({
      method: 'get',
      path: '/alerts',
      tags: ['alerts'],
      summary: "The tenant's alerts, newest first (raised by the projector; each fire and resolve is also a `hookline.alert` event)",
      auth: 'apiKey',
      query: alertListQuery,
      responses: { 200: { description: 'Alerts', schema: list(alertView) } },
      async handler({ caller, query }) {
        const docs = await alerts.list(caller.tenantId, query.state, query.limit);
        return { status: 200, body: { data: docs.map(toView) } };
      },
    }),
    route({
      method: 'get',
      path: '/alerts/settings',
      tags: ['alerts'],
      summary: "The tenant's alert settings (defaults until set; alerts are off by default)",
      auth: 'apiKey',
      responses: { 200: { description: 'Settings', schema: alertSettings } },
      async handler({ caller }) {
        return { status: 200, body: settingsOf(config, caller.tenantId) };
      },
    }),
    route({
      method: 'put',
      path: '/alerts/settings',
      tags: ['alerts'],
      summary: 'Change alert settings (fields left out keep their value)',
      auth: 'apiKey',
      role: 'configure',
      body: alertSettingsInput,
      responses: { 200: { description: 'Settings', schema: alertSettings } },
      errors: ['conflict'],
      async handler({ caller, body }) {
        const now = new Date().toISOString();
        const defaults: AlertSettingsRecord = {
          kind: 'alertSettings',
          id: caller.tenantId,
          tenantId: caller.tenantId,
          ...defaultAlertSettings,
          createdAt: now,
          updatedAt: now,
        };
        // Merged into the settings as they are when written (again if a concurrent change came first).
        await config.update(
          publisher,
          configKey('alertSettings', caller.tenantId),
          (state) => state.alertSettings.get(caller.tenantId) ?? defaults,
          (current) => ({ ...current, ...body, updatedAt: now }),
        );
        return { status: 200, body: settingsOf(config, caller.tenantId) };
      },
    }),
  ];
}
