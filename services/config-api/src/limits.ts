import type { ApiKeyRecord, ConfigState } from '@hookline/core';
import { type AccessRules, type ApiRoute, type BucketRate, bucketRate, RateLimit, rateEnv, withRateLimit } from '@hookline/service';
import type { AdminAccessTypes } from './access.js';
import { defaultQuotaLimits, type QuotaLimits, quotaEnvShape, quotaLimitsFromEnv, quotaRules } from './quotas.js';

/** The admin API's limits: per-tenant quotas and the per-API-key request rate. */
export interface AdminLimits {
  quotas: QuotaLimits;
  /** Requests per API key (every admin route a key calls draws one token). */
  rate: BucketRate;
}

/** The limits' environment variables (config-api's env.ts spreads them in). */
export const adminLimitsEnvShape = { ...quotaEnvShape, ...rateEnv('CONFIG_API_RATE', 500) };

type LimitsEnv = Parameters<typeof quotaLimitsFromEnv>[0] & {
  CONFIG_API_RATE_PER_SECOND: number;
  CONFIG_API_RATE_BURST?: number | undefined;
};

export function adminLimitsFromEnv(env: LimitsEnv): AdminLimits {
  return { quotas: quotaLimitsFromEnv(env), rate: bucketRate(env.CONFIG_API_RATE_PER_SECOND, env.CONFIG_API_RATE_BURST) };
}

/** Generous defaults, for an app assembled without limits (unit tests, the document). */
export const defaultAdminLimits: AdminLimits = { quotas: defaultQuotaLimits, rate: bucketRate(500, undefined) };

/** The rate limit every admin route with an API key declares unless it names its own. */
const adminRate = 'admin';

/** Admin routes with the per-key rate limit (operator routes are not limited: the operator is trusted). */
export function rateLimitedAdminRoutes(routes: ApiRoute[]): ApiRoute[] {
  return withRateLimit(routes, adminRate, (route) => route.auth === 'apiKey');
}

/** The access rules' quota and rate-limit part for the admin API. */
export function adminLimitRules(
  config: { readonly state: ConfigState },
  limits: AdminLimits,
): Pick<AccessRules<AdminAccessTypes>, 'quotas' | 'rateLimits'> {
  const perKey = new RateLimit(adminRate, limits.rate);
  return {
    quotas: quotaRules(config, limits.quotas),
    rateLimits: {
      [adminRate]: ({ res, caller }) => {
        perKey.check(res, (caller as ApiKeyRecord).id);
      },
    },
  };
}
