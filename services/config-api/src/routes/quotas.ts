import { ApiError, configKey, type TenantRecord } from '@hookline/core';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { defaultAdminLimits } from '../limits.js';
import { type QuotaName, quotaNames, quotaUsage } from '../quotas.js';

const quotaName = z.enum(quotaNames);
const usage = z
  .object({
    quota: quotaName,
    limit: z.number().int().describe('How many the tenant may have'),
    used: z.number().int().describe('How many it has'),
    overridden: z.boolean().describe("The operator set this tenant's limit (otherwise the deployment's default)"),
  })
  .meta({ id: 'QuotaUsage' });
const usageList = z.object({ data: z.array(usage) });

/** Per quota: a new limit for this tenant, or null to go back to the default; quotas not named keep theirs. */
const overridesInput = z.partialRecord(quotaName, z.number().int().min(0).max(10_000_000).nullable());
const tenantParams = z.object({ id: z.string() });

/**
 * Quotas: a tenant sees its limits and usage; the operator reads and overrides them per tenant (kept on the
 * tenant record, so every config-api instance applies them). Lowering a limit below the usage removes nothing:
 * only further creates are refused.
 */
export function quotaRoutes({ config, publisher, limits = defaultAdminLimits }: AdminDeps) {
  async function tenant(id: string): Promise<TenantRecord> {
    const found = await config.readFresh((state) => state.tenants.get(id));
    if (!found) throw new ApiError('not_found', 'no such tenant');
    return found;
  }

  return [
    route({
      method: 'get',
      path: '/quotas',
      tags: ['quotas'],
      summary: "The tenant's quotas: each limit and how much of it is used",
      auth: 'apiKey',
      responses: { 200: { description: 'Quotas', schema: usageList } },
      async handler({ caller }) {
        return { status: 200, body: { data: quotaUsage(config.state, limits.quotas, caller.tenantId) } };
      },
    }),
    route({
      method: 'get',
      path: '/tenants/:id/quotas',
      tags: ['tenants'],
      summary: "A tenant's quotas (operator only)",
      auth: 'operator',
      params: tenantParams,
      responses: { 200: { description: 'Quotas', schema: usageList } },
      errors: ['not_found'],
      async handler({ params }) {
        await tenant(params.id);
        return { status: 200, body: { data: quotaUsage(config.state, limits.quotas, params.id) } };
      },
    }),
    route({
      method: 'put',
      path: '/tenants/:id/quotas',
      tags: ['tenants'],
      summary: "Override a tenant's quotas (operator only); null restores a default",
      auth: 'operator',
      params: tenantParams,
      body: overridesInput,
      responses: { 200: { description: 'Quotas after the change', schema: usageList } },
      errors: ['not_found'],
      async handler({ params, body }) {
        const current = await tenant(params.id);
        const quotas: Partial<Record<QuotaName, number>> = { ...(current.quotas ?? {}) };
        for (const [name, limit] of Object.entries(body) as [QuotaName, number | null][]) {
          if (limit === null) delete quotas[name];
          else quotas[name] = limit;
        }
        const { quotas: _previous, ...rest } = current;
        const updated: TenantRecord = {
          ...rest,
          ...(Object.keys(quotas).length ? { quotas } : {}),
          updatedAt: new Date().toISOString(),
        };
        await config.write(publisher, configKey('tenant', updated.id), updated);
        return { status: 200, body: { data: quotaUsage(config.state, limits.quotas, params.id) } };
      },
    }),
  ];
}
