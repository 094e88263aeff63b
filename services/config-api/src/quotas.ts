import type { ApiKeyRecord, ConfigState } from '@hookline/core';
import { QuotaExceeded } from '@hookline/service';
import { z } from 'zod';

/**
 * Per-tenant quotas: how many of each resource a tenant may have. Defaults come from the environment; the
 * operator may override them per tenant (`PUT /api/admin/tenants/:id/quotas`, kept on the tenant record). A
 * create route declares `quota: '<name>'` and the check runs in one place, as middleware (see `quotaRules`).
 */
export const quotaNames = ['endpoints', 'apiKeys', 'eventTypes', 'incomingHooks', 'schedules'] as const;
export type QuotaName = (typeof quotaNames)[number];
export type QuotaLimits = Record<QuotaName, number>;

/** How many of each resource a tenant has now, read from the config view. */
const usageOf: Record<QuotaName, (state: ConfigState, tenantId: string) => number> = {
  endpoints: (state, tenantId) => count(state.endpointsOf(tenantId)),
  apiKeys: (state, tenantId) => count(state.apiKeysOf(tenantId)),
  eventTypes: (state, tenantId) => count(state.eventTypesOf(tenantId)),
  incomingHooks: (state, tenantId) => count(state.incomingHooksOf(tenantId)),
  schedules: (state, tenantId) => count(state.schedulesOf(tenantId)),
};

function count(items: Iterable<unknown>): number {
  let n = 0;
  for (const _ of items) n++;
  return n;
}

const quotaValue = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** The quota defaults' environment variables (generous: the bench creates 10,000 endpoints in one tenant). */
export const quotaEnvShape = {
  HOOKLINE_QUOTA_ENDPOINTS: quotaValue(20_000),
  HOOKLINE_QUOTA_API_KEYS: quotaValue(100),
  HOOKLINE_QUOTA_EVENT_TYPES: quotaValue(1_000),
  HOOKLINE_QUOTA_INCOMING_HOOKS: quotaValue(1_000),
  HOOKLINE_QUOTA_SCHEDULES: quotaValue(1_000),
};
type QuotaEnv = { [K in keyof typeof quotaEnvShape]: number };

export function quotaLimitsFromEnv(env: QuotaEnv): QuotaLimits {
  return {
    endpoints: env.HOOKLINE_QUOTA_ENDPOINTS,
    apiKeys: env.HOOKLINE_QUOTA_API_KEYS,
    eventTypes: env.HOOKLINE_QUOTA_EVENT_TYPES,
    incomingHooks: env.HOOKLINE_QUOTA_INCOMING_HOOKS,
    schedules: env.HOOKLINE_QUOTA_SCHEDULES,
  };
}

/** The defaults when the environment sets none (tests and the document). */
export const defaultQuotaLimits: QuotaLimits = quotaLimitsFromEnv(z.object(quotaEnvShape).parse({}));

/** One quota of one tenant: its limit (the override or the default) and what the tenant uses. */
export interface QuotaUsage {
  quota: QuotaName;
  limit: number;
  used: number;
  overridden: boolean;
}

/** One quota of a tenant against the config view. */
function usageOfQuota(state: ConfigState, defaults: QuotaLimits, tenantId: string, quota: QuotaName): QuotaUsage {
  const override = state.tenants.get(tenantId)?.quotas?.[quota];
  return { quota, limit: override ?? defaults[quota], used: usageOf[quota](state, tenantId), overridden: override !== undefined };
}

/** Every quota of a tenant against the config view. */
export function quotaUsage(state: ConfigState, defaults: QuotaLimits, tenantId: string): QuotaUsage[] {
  return quotaNames.map((quota) => usageOfQuota(state, defaults, tenantId, quota));
}

/**
 * The admin API's quota rules: one more of `quota` must fit under the tenant's limit. Counted on this process's
 * config view (read-your-writes), so creates racing in the same instant, or on two config-api instances, can
 * overshoot by the number in flight; the quota bounds abuse, it is not an invoice.
 */
export function quotaRules(config: { readonly state: ConfigState }, defaults: QuotaLimits) {
  return Object.fromEntries(
    quotaNames.map((quota) => [
      quota,
      (caller: ApiKeyRecord) => {
        const usage = usageOfQuota(config.state, defaults, caller.tenantId, quota);
        if (usage.used >= usage.limit) throw new QuotaExceeded(quota, usage.limit, usage.used);
      },
    ]),
  ) as Record<QuotaName, (caller: ApiKeyRecord) => void>;
}
