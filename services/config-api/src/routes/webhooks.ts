import { ApiError, type ConfigState, configKey, type EndpointRecord, newId } from '@hookline/core';
import { UnknownRetryTier, validateSchedule } from '@hookline/delivery-policy';
import { maskedHeaders, type SecretSealer } from '@hookline/secrets';
import { ed25519PublicKey, generateSecret } from '@hookline/signing';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { deleted, idParams, list, webhook } from './schemas.js';
import {
  applyEndpointChanges,
  checkSettingsCombination,
  createEndpointInput,
  isOwnIngest,
  mergeHeaders,
  rotateInput,
  updateEndpointInput,
} from './webhook-input.js';

/** What the webhook routes need beyond the shared dependencies. */
export interface WebhookDeps {
  /** Seals secrets and header values before they are written (config-api never opens a sealed value). */
  secrets: SecretSealer;
  /** Where Hookline's own ingest is reachable: webhook URLs there are refused. */
  ingestOrigins: URL[];
}

/** What the API shows of an endpoint: everything but its secrets, and header names with masked values. */
function publicEndpoint({ secrets, kind: _kind, headers, ...rest }: EndpointRecord) {
  const publicKeys = secrets.flatMap((s) => (s.publicKey ? [s.publicKey] : []));
  return { ...rest, ...(headers ? { headers: maskedHeaders(headers) } : {}), ...(publicKeys.length ? { publicKeys } : {}) };
}

/** A new signing secret as stored: its Ed25519 public key is derived now, while the secret is in hand. */
function newSecret(secret: string) {
  return { secret, publicKey: ed25519PublicKey(secret) };
}

/** Reads an endpoint from the config state (for `config.update`). */
const endpointOf = (id: string) => (state: ConfigState) => state.endpoints.get(id);

/** At most two secrets sign at once: the new one and the one it replaces (older ones are dropped). */
const liveSecretsAfterRotation = 2;

/** The tenant's webhooks (endpoints): their settings and signing secrets. */
export function webhookRoutes({ config, publisher, retryTiers, requireHttps, webhooks }: AdminDeps) {
  const { secrets: sealer, ingestOrigins } = webhooks;

  function checkUrl(url: string | undefined) {
    if (url && requireHttps && !url.startsWith('https://')) {
      throw new ApiError('validation_failed', 'endpoint URLs must be https in production mode', [
        { path: 'url', message: 'must be https' },
      ]);
    }
    if (url && isOwnIngest(url, ingestOrigins)) {
      throw new ApiError('validation_failed', "endpoint URLs may not point at Hookline's own ingest", [
        { path: 'url', message: 'is on the ingest origin: deliveries would come back as events' },
      ]);
    }
  }

  /** Writes an endpoint with every secret and header value sealed (plain ones of older records too). */
  async function save(endpoint: EndpointRecord): Promise<void> {
    await config.write(publisher, configKey('endpoint', endpoint.id), sealer.sealPlain(endpoint));
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
      quota: 'endpoints',
      body: createEndpointInput,
      responses: {
        201: {
          description: 'The webhook with its secret',
          schema: webhook.extend({ secret: z.string().describe('The signing secret (whsec_...); shown only here.') }),
        },
      },
      async handler({ caller, body }) {
        const { secret = generateSecret(), headers, ...input } = body;
        checkSchedule(input.retrySchedule);
        checkUrl(input.url);
        checkSettingsCombination(input);
        const now = new Date().toISOString();
        const endpoint: EndpointRecord = {
          kind: 'endpoint',
          id: newId('ep'),
          tenantId: caller.tenantId,
          ...input,
          ...(headers ? { headers: mergeHeaders(headers, undefined) } : {}),
          isActive: input.isActive ?? true,
          secrets: [newSecret(secret)],
          createdAt: now,
          updatedAt: now,
        };
        await save(endpoint);
        // The secret is returned once, at creation (from the request, not opened); later reads never show it.
        return { status: 201, body: { ...publicEndpoint(endpoint), secret } };
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
        checkSchedule(changes.retrySchedule ?? undefined);
        checkUrl(changes.url);
        const { headers, ...rest } = changes;
        checkSettingsCombination(applyEndpointChanges(endpoint, rest));
        // Applied to the endpoint as it is when written (again if a concurrent change came first), so fields this
        // request does not name, such as a secret rotated meanwhile, are never put back.
        const updated = await config.update(publisher, configKey('endpoint', endpoint.id), endpointOf(endpoint.id), (current) => {
          const next: EndpointRecord = {
            ...applyEndpointChanges(current, rest),
            ...(headers ? { headers: mergeHeaders(headers, current.headers) } : {}),
            updatedAt: new Date().toISOString(),
          };
          if (changes.isActive === true) {
            delete next.disabledReason;
            delete next.disabledAt;
          }
          return sealer.sealPlain(next);
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
        200: {
          description: 'The new secret (and its Ed25519 public key, for endpoints signed with `ed25519`)',
          schema: z.object({ secret: z.string(), publicKey: z.string(), previousSecretsExpireAt: z.string().nullable() }),
        },
      },
      errors: ['conflict'],
      async handler({ owned: endpoint, body: input }) {
        const now = Date.now();
        const secret = input.secret ?? generateSecret();
        const expiresAt = new Date(now + input.overlapSeconds * 1000).toISOString();
        // Derived once: the change below may be applied again after a lost race.
        const fresh = newSecret(secret);
        // Rotated on the endpoint as it is when written (again if a concurrent change came first). The new secret
        // signs first; the one it replaces keeps signing until its overlap ends. Secrets older than that are
        // dropped, so at most two sign at once however quickly rotations follow each other.
        const rotate = (current: EndpointRecord): EndpointRecord => {
          const kept = current.secrets
            .filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now)
            .slice(0, liveSecretsAfterRotation - 1)
            .map((s) => ({ ...s, expiresAt: s.expiresAt ?? expiresAt }));
          return sealer.sealPlain({
            ...current,
            secrets: [fresh, ...(input.overlapSeconds > 0 ? kept : [])],
            updatedAt: new Date(now).toISOString(),
          });
        };
        const updated = await config.update(publisher, configKey('endpoint', endpoint.id), endpointOf(endpoint.id), rotate);
        if (!updated) throw new ApiError('not_found', 'no such webhook');
        return {
          status: 200,
          body: { secret, publicKey: fresh.publicKey, previousSecretsExpireAt: input.overlapSeconds > 0 ? expiresAt : null },
        };
      },
    }),
  ];
}
