import { ApiError } from '@hookline/core';
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { ZodOpenApiResponsesObject } from 'zod-openapi';
import type { AccessRules, AccessTypes, ApiRoute } from './route.js';
import { type BucketRate, type Take, TokenBuckets } from './token-buckets.js';

/**
 * Per-tenant quotas and rate limits, as route contracts declare them (`quota: 'endpoints'`, `rateLimit: 'events'`)
 * and as an API's access rules answer them (`AccessRules.quotas`, `AccessRules.rateLimits`). The checks run as
 * middleware after authentication (rate limit) and after the role check (quota), before input is validated.
 */

/** 403 `quota_exceeded`: the caller's tenant already has `limit` of `quota`. */
export class QuotaExceeded extends ApiError {
  constructor(
    readonly quota: string,
    readonly limit: number,
    readonly used: number,
  ) {
    super('quota_exceeded', `quota exceeded: this tenant may have at most ${limit} ${quota} (it has ${used})`, { quota, limit, used });
  }
}

/** 429 `rate_limited`: try again in `retryAfterSeconds` (also sent as `Retry-After`). */
export class RateLimited extends ApiError {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', `rate limit "${limit}" exceeded; retry after ${retryAfterSeconds} s`, { limit, retryAfterSeconds });
  }
}

/**
 * One named rate limit: token buckets by key, answering with `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` on every checked request and `Retry-After` on a 429. Per process: N instances of a service
 * let N times the rate through.
 */
export class RateLimit {
  private readonly buckets: TokenBuckets;

  constructor(
    readonly name: string,
    rate: BucketRate,
    options: { maxKeys?: number; now?: () => number } = {},
  ) {
    this.buckets = new TokenBuckets(rate, options.maxKeys, options.now);
  }

  /** Takes `cost` from `key`'s bucket and sets the headers; throws `RateLimited` when the bucket cannot pay. */
  check(res: Response, key: string, cost = 1): Take {
    const take = this.buckets.take(key, cost);
    res.set({
      'RateLimit-Limit': String(this.buckets.rate.burst),
      'RateLimit-Remaining': String(take.remaining),
      'RateLimit-Reset': String(take.resetSeconds),
    });
    if (!take.allowed) {
      res.set('Retry-After', String(take.retryAfterSeconds));
      throw new RateLimited(this.name, take.retryAfterSeconds);
    }
    return take;
  }
}

/** A rate and burst from the environment: `<prefix>_PER_SECOND` and `<prefix>_BURST` (the burst defaults to twice the rate). */
export function rateEnv<P extends string>(prefix: P, perSecond: number) {
  return {
    [`${prefix}_PER_SECOND`]: z.coerce.number().positive().default(perSecond),
    [`${prefix}_BURST`]: z.coerce.number().int().min(1).optional(),
  } as Record<`${P}_PER_SECOND`, z.ZodDefault<z.ZodCoercedNumber>> & Record<`${P}_BURST`, z.ZodOptional<z.ZodCoercedNumber>>;
}

/** The `BucketRate` of `rateEnv`'s parsed variables. */
export function bucketRate(perSecond: number, burst: number | undefined): BucketRate {
  return { perSecond, burst: burst ?? Math.max(1, Math.ceil(perSecond * 2)) };
}

/** Gives every route that `applies` without a rate limit of its own the limit `name` (an API-wide default). */
export function withRateLimit(routes: ApiRoute[], name: string, applies: (route: ApiRoute) => boolean = () => true): ApiRoute[] {
  return routes.map((route) => (route.rateLimit === undefined && applies(route) ? { ...route, rateLimit: name } : route));
}

/** The route's rate-limit check, or nothing when it declares none; an unknown name fails at mount, not at request. */
export function rateLimitMiddleware<T extends AccessTypes>(
  route: ApiRoute,
  access: AccessRules<T>,
  callerOf: (res: Response) => T['caller'] | undefined,
): RequestHandler[] {
  if (route.rateLimit === undefined) return [];
  const rule = access.rateLimits?.[route.rateLimit];
  if (!rule)
    throw new Error(
      `route ${route.method.toUpperCase()} ${route.path} has rate limit "${route.rateLimit}", which the access rules do not know`,
    );
  return [
    async (req, res, next) => {
      await rule({ req, res, caller: callerOf(res) });
      next();
    },
  ];
}

/** The route's quota check (the caller's tenant must have room for one more), or nothing when it declares none. */
export function quotaMiddleware<T extends AccessTypes>(
  route: ApiRoute,
  access: AccessRules<T>,
  callerOf: (res: Response) => T['caller'] | undefined,
): RequestHandler[] {
  if (route.quota === undefined) return [];
  const rule = access.quotas?.[route.quota];
  if (!rule)
    throw new Error(`route ${route.method.toUpperCase()} ${route.path} uses quota "${route.quota}", which the access rules do not know`);
  return [
    async (_req, res, next) => {
      await rule(callerOf(res) as T['caller']);
      next();
    },
  ];
}

const seconds = z.string().regex(/^\d+$/);

/** The headers a 429 carries, for the document. */
export function documentLimitHeaders(responses: ZodOpenApiResponsesObject): ZodOpenApiResponsesObject {
  const tooMany = responses['429'];
  if (!tooMany || '$ref' in tooMany) return responses;
  return {
    ...responses,
    429: {
      ...tooMany,
      headers: z.object({
        'Retry-After': seconds.describe('Seconds to wait before trying again'),
        'RateLimit-Limit': seconds.describe('The burst: requests (or events) the bucket holds when full'),
        'RateLimit-Remaining': seconds.describe('What is left in the bucket'),
        'RateLimit-Reset': seconds.describe('Seconds until the bucket is full again'),
      }),
    },
  };
}
