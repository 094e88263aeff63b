import { ApiError, type ConfigState, configKey, type EndpointRecord, eventPattern, newId } from '@hookline/core';
import { deliverySettingsShape, UnknownRetryTier, validateSchedule } from '@hookline/delivery-policy';
import { generateSecret } from '@hookline/signing';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { deleted, idParams, list, webhook } from './schemas.js';

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
const secretInput = z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be whsec_ followed by base64');
const createEndpointInput = z.object({ ...endpointFields, secret: secretInput.optional() });
const updateEndpointInput = z.object(endpointFields).partial();

const rotateInput = z.object({
  /** The new secret; generated when absent. */
  secret: secretInput.optional(),
  /** How long the previous secret keeps signing alongside the new one (receivers switch over meanwhile). */
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(24 * 3600),
});

/** Reads an endpoint from the config state (for `config.update`). */
const endpointOf = (id: string) => (state: ConfigState) => state.endpoints.get(id);

/** What the API shows of an endpoint: everything but its secrets. */
function publicEndpoint({ secrets: _secrets, kind: _kind, ...rest }: EndpointRecord) {
  return rest;
}

/** The tenant's webhooks (endpoints): their settings and signing secrets. */
export function webhookRoutes({ config, publisher, retryTiers, requireHttps }: AdminDeps) {
  function checkUrl(url: string | undefined) {
    if (url && requireHttps && !url.startsWith('https://')) {
      throw new ApiError('validation_failed', 'endpoint URLs must be https in production mode', [
        { path: 'url', message: 'must be https' },
      ]);
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

  return [
    route({
      method: 'get',
      path: '/webhooks',
      tags: ['webhooks'],
      summary: "List the tenant's webhooks",
      auth: 'apiKey',
      responses: { 200: { description: 'Webhooks', schema: list(webhook) } },
      async handler({ caller }) {
        return { status: 200, body: { data: [...config.state.endpointsOf(caller.tenantId)].map(publicEndpoint) } };
      },
    }),
    route({
      method: 'post',
      path: '/webhooks',
      tags: ['webhooks'],
      summary: 'Create a webhook (its secret is returned once)',
      auth: 'apiKey',
      role: 'configure',
      body: createEndpointInput,
      responses: {
        201: {
          description: 'The webhook with its secret',
          schema: webhook.extend({ secret: z.string().describe('The signing secret (whsec_...); shown only here.') }),
        },
      },
      async handler({ caller, body }) {
        const { secret, ...input } = body;
        checkSchedule(input.retrySchedule);
        checkUrl(input.url);
        const now = new Date().toISOString();
        const endpoint: EndpointRecord = {
          kind: 'endpoint',
          id: newId('ep'),
          tenantId: caller.tenantId,
          ...input,
          isActive: input.isActive ?? true,
          secrets: [{ secret: secret ?? generateSecret() }],
          createdAt: now,
          updatedAt: now,
        };
        await config.write(publisher, configKey('endpoint', endpoint.id), endpoint);
        // The secret is returned once, at creation; later reads never show it.
        return { status: 201, body: { ...publicEndpoint(endpoint), secret: endpoint.secrets[0]!.secret } };
      },
    }),
    route({
      method: 'get',
      path: '/webhooks/:id',
      tags: ['webhooks'],
      summary: 'Read a webhook',
      auth: 'apiKey',
      owns: 'endpoint',
      params: idParams,
      responses: { 200: { description: 'The webhook', schema: webhook } },
      async handler({ owned }) {
        return { status: 200, body: publicEndpoint(owned) };
      },
    }),
    route({
      method: 'patch',
      path: '/webhooks/:id',
      tags: ['webhooks'],
      summary: 'Change a webhook; `isActive: true` re-enables an auto-disabled one',
      auth: 'apiKey',
      owns: 'endpoint',
      role: 'configure',
      params: idParams,
      body: updateEndpointInput,
      responses: { 200: { description: 'The updated webhook', schema: webhook } },
      errors: ['conflict'],
      async handler({ owned: endpoint, body: changes }) {
        checkSchedule(changes.retrySchedule);
        checkUrl(changes.url);
        // Applied to the endpoint as it is when written (again if a concurrent change came first), so fields this
        // request does not name, such as a secret rotated meanwhile, are never put back.
        const updated = await config.update(publisher, configKey('endpoint', endpoint.id), endpointOf(endpoint.id), (current) => {
          const next: EndpointRecord = { ...current, ...changes, updatedAt: new Date().toISOString() };
          if (changes.isActive === true) {
            delete next.disabledReason;
            delete next.disabledAt;
          }
          return next;
        });
        if (!updated) throw new ApiError('not_found', 'no such webhook');
        return { status: 200, body: publicEndpoint(updated) };
      },
    }),
    route({
      method: 'delete',
      path: '/webhooks/:id',
      tags: ['webhooks'],
      summary: 'Delete a webhook',
      auth: 'apiKey',
      owns: 'endpoint',
      role: 'configure',
      params: idParams,
      responses: deleted,
      async handler({ owned: endpoint }) {
        await config.write(publisher, configKey('endpoint', endpoint.id), null);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/webhooks/:id/secret/rotate',
      tags: ['webhooks'],
      summary: 'Rotate the signing secret; the previous one keeps signing for `overlapSeconds`',
      auth: 'apiKey',
      owns: 'endpoint',
      role: 'configure',
      params: idParams,
      body: rotateInput,
      bodyOptional: true,
      responses: {
        200: { description: 'The new secret', schema: z.object({ secret: z.string(), previousSecretsExpireAt: z.string().nullable() }) },
      },
      errors: ['conflict'],
      async handler({ owned: endpoint, body: input }) {
        const now = Date.now();
        const secret = input.secret ?? generateSecret();
        const expiresAt = new Date(now + input.overlapSeconds * 1000).toISOString();
        // Rotated on the endpoint as it is when written (again if a concurrent change came first).
        const rotate = (current: EndpointRecord): EndpointRecord => {
          // The new secret signs first; still-valid old ones keep signing until their overlap ends.
          const kept = current.secrets
            .filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now)
            .map((s) => ({ secret: s.secret, expiresAt: s.expiresAt ?? expiresAt }));
          return {
            ...current,
            secrets: [{ secret }, ...(input.overlapSeconds > 0 ? kept : [])],
            updatedAt: new Date(now).toISOString(),
          };
        };
        const updated = await config.update(publisher, configKey('endpoint', endpoint.id), endpointOf(endpoint.id), rotate);
        if (!updated) throw new ApiError('not_found', 'no such webhook');
        return { status: 200, body: { secret, previousSecretsExpireAt: input.overlapSeconds > 0 ? expiresAt : null } };
      },
    }),
  ];
}
