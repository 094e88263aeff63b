import {
  ApiError,
  configKey,
  eventPattern,
  newId,
  requireConfigureRole,
  type EndpointRecord,
} from '@hookline/core';
import { deliverySettingsShape, UnknownRetryTier, validateSchedule } from '@hookline/delivery-policy';
import type { ConfigView, Producer } from '@hookline/kafka';
import { validate } from '@hookline/service';
import { generateSecret } from '@hookline/signing';
import { Router } from 'express';
import { ownEndpoint } from './access.js';
import { z } from 'zod';

const httpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http or https URL');

const endpointFields = {
  name: z.string().min(1).max(200),
  url: httpUrl,
  events: z.array(eventPattern).min(1).max(100),
  description: z.string().max(2000).optional(),
  isActive: z.boolean().optional(),
  channels: z.array(z.string().min(1).max(128)).max(100).optional(),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4096)).optional(),
  ...deliverySettingsShape(),
};
export const createEndpointInput = z.object({
  ...endpointFields,
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be whsec_ followed by base64').optional(),
});
export const updateEndpointInput = z.object(endpointFields).partial();

/** What the API shows of an endpoint: everything but its secrets. */
function publicEndpoint({ secrets: _secrets, kind: _kind, ...rest }: EndpointRecord) {
  return rest;
}

export const rotateInput = z.object({
  /** The new secret; generated when absent. */
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be whsec_ followed by base64').optional(),
  /** How long the previous secret keeps signing alongside the new one (receivers switch over meanwhile). */
  overlapSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(24 * 3600),
});

export interface WebhookRouteOptions {
  retryTiers: string[];
  /** Production mode: endpoint URLs must be https. */
  requireHttps: boolean;
}

export function webhookRoutes(config: ConfigView, producer: Producer, { retryTiers, requireHttps }: WebhookRouteOptions): Router {
  const router = Router();

  function checkUrl(url: string | undefined) {
    if (url && requireHttps && !url.startsWith('https://')) {
      throw new ApiError('validation_failed', 'endpoint URLs must be https in production mode', [{ path: 'url', message: 'must be https' }]);
    }
  }

  /** Retry delays must be tiers that exist as topics. */
  function checkSchedule(schedule: string[] | undefined) {
    try {
      validateSchedule(schedule, retryTiers);
    } catch (error) {
      if (!(error instanceof UnknownRetryTier)) throw error;
      throw new ApiError('validation_failed', 'retrySchedule uses delays that are not retry tiers', [
        { path: 'retrySchedule', message: `unknown tiers ${error.unknown.join(', ')}; available: ${retryTiers.join(', ')}` },
      ]);
    }
  }


  router.get('/webhooks', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    res.json({ data: [...config.state.endpointsOf(key.tenantId)].map(publicEndpoint) });
  });

  router.post('/webhooks', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    requireConfigureRole(key);
    const { secret, ...input } = validate(createEndpointInput, req.body);
    checkSchedule(input.retrySchedule);
    checkUrl(input.url);
    const now = new Date().toISOString();
    const endpoint: EndpointRecord = {
      kind: 'endpoint',
      id: newId('ep'),
      tenantId: key.tenantId,
      ...input,
      isActive: input.isActive ?? true,
      secrets: [{ secret: secret ?? generateSecret() }],
      createdAt: now,
      updatedAt: now,
    };
    await config.write(producer, configKey('endpoint', endpoint.id), endpoint);
    // The secret is returned once, at creation; later reads never show it.
    res.status(201).json({ ...publicEndpoint(endpoint), secret: endpoint.secrets[0]!.secret });
  });

  router.get('/webhooks/:id', async (req, res) => {
    res.json(publicEndpoint((await ownEndpoint(config, req)).endpoint));
  });

  router.patch('/webhooks/:id', async (req, res) => {
    const { key, endpoint } = await ownEndpoint(config, req);
    requireConfigureRole(key);
    const changes = validate(updateEndpointInput, req.body);
    checkSchedule(changes.retrySchedule);
    checkUrl(changes.url);
    const updated: EndpointRecord = { ...endpoint, ...changes, updatedAt: new Date().toISOString() };
    if (changes.isActive === true) {
      delete updated.disabledReason;
      delete updated.disabledAt;
    }
    await config.write(producer, configKey('endpoint', endpoint.id), updated);
    res.json(publicEndpoint(updated));
  });

  router.delete('/webhooks/:id', async (req, res) => {
    const { key, endpoint } = await ownEndpoint(config, req);
    requireConfigureRole(key);
    await config.write(producer, configKey('endpoint', endpoint.id), null);
    res.status(204).end();
  });

  router.post('/webhooks/:id/secret/rotate', async (req, res) => {
    const { key, endpoint } = await ownEndpoint(config, req);
    requireConfigureRole(key);
    const input = validate(rotateInput, req.body ?? {});
    const now = Date.now();
    const secret = input.secret ?? generateSecret();
    const expiresAt = new Date(now + input.overlapSeconds * 1000).toISOString();
    // The new secret signs first; still-valid old ones keep signing until their overlap ends.
    const kept = endpoint.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now).map((s) => ({ secret: s.secret, expiresAt: s.expiresAt ?? expiresAt }));
    const updated: EndpointRecord = { ...endpoint, secrets: [{ secret }, ...(input.overlapSeconds > 0 ? kept : [])], updatedAt: new Date(now).toISOString() };
    await config.write(producer, configKey('endpoint', endpoint.id), updated);
    res.json({ secret, previousSecretsExpireAt: input.overlapSeconds > 0 ? expiresAt : null });
  });

  return router;
}
