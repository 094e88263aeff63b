import { alertSettingsShape, configKey, defaultAlertSettings, requireConfigureRole, type AlertSettingsRecord } from '@hookline/core';
import type { ConfigView, Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import type { AlertDoc, Alerts } from '@hookline/store';
import { Router } from 'express';
import { z } from 'zod';

export const alertListQuery = z.object({
  state: z.enum(['firing', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** PUT takes any subset; what is left out keeps its current value. */
export const alertSettingsInput = z.object(alertSettingsShape).partial();
export const alertSettings = z.object(alertSettingsShape);
export const alertView = z.object({
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
});

function toView({ _id, tenantId: _tenant, ...alert }: AlertDoc): z.infer<typeof alertView> {
  return { id: _id, ...alert };
}

function settingsOf(config: ConfigView, tenantId: string): z.infer<typeof alertSettings> {
  const stored = config.state.alertSettings.get(tenantId);
  if (!stored) return { ...defaultAlertSettings };
  const { enabled, failedDeliveries24h, responseTimeMs, successRatePercent } = stored;
  return { enabled, failedDeliveries24h, responseTimeMs, successRatePercent };
}

/**
 * The tenant's alerts (raised by the projector) and its alert settings. Settings are tenant configuration, so
 * they live on the `config` topic like endpoints: the projector that evaluates them has them in memory.
 */
export function alertRoutes(config: ConfigView, producer: Producer, alerts: Alerts): Router {
  const router = Router();

  router.get('/alerts', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    const query = validate(alertListQuery, req.query, 'query');
    const docs = await alerts.list(key.tenantId, query.state, query.limit);
    res.json({ data: docs.map(toView) });
  });

  router.get('/alerts/settings', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    res.json(settingsOf(config, key.tenantId));
  });

  router.put('/alerts/settings', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    requireConfigureRole(key);
    const input = validate(alertSettingsInput, req.body);
    const now = new Date().toISOString();
    const current = config.state.alertSettings.get(key.tenantId);
    const record: AlertSettingsRecord = {
      kind: 'alertSettings',
      id: key.tenantId,
      tenantId: key.tenantId,
      ...settingsOf(config, key.tenantId),
      ...input,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
    await config.write(producer, configKey('alertSettings', key.tenantId), record);
    res.json(settingsOf(config, key.tenantId));
  });

  return router;
}
