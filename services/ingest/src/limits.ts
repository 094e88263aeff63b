import { hashApiKey } from '@hookline/core';
import { type AccessRules, type BucketRate, bucketRate, RateLimit, rateEnv } from '@hookline/service';
import type { IngestAccessTypes } from './access.js';

/**
 * Ingest's rate limits, per process: events per second per tenant (`POST /v1/events` and the batch, where each
 * event of a batch counts) and calls per second per incoming webhook.
 */
export interface IngestLimits {
  events: BucketRate;
  incomingHook: BucketRate;
}

/** The limits' environment variables (ingest's env.ts spreads them in); generous, so only abuse meets them. */
export const ingestLimitsEnvShape = { ...rateEnv('INGEST_RATE_EVENTS', 20_000), ...rateEnv('INGEST_RATE_INCOMING_HOOK', 1_000) };

interface LimitsEnv {
  INGEST_RATE_EVENTS_PER_SECOND: number;
  INGEST_RATE_EVENTS_BURST?: number | undefined;
  INGEST_RATE_INCOMING_HOOK_PER_SECOND: number;
  INGEST_RATE_INCOMING_HOOK_BURST?: number | undefined;
}

export function ingestLimitsFromEnv(env: LimitsEnv): IngestLimits {
  return {
    events: bucketRate(env.INGEST_RATE_EVENTS_PER_SECOND, env.INGEST_RATE_EVENTS_BURST),
    incomingHook: bucketRate(env.INGEST_RATE_INCOMING_HOOK_PER_SECOND, env.INGEST_RATE_INCOMING_HOOK_BURST),
  };
}

export const defaultIngestLimits: IngestLimits = ingestLimitsFromEnv({
  INGEST_RATE_EVENTS_PER_SECOND: 20_000,
  INGEST_RATE_INCOMING_HOOK_PER_SECOND: 1_000,
});

/**
 * What a request costs: each event of a batch is one. Counted on the parsed body before it is validated, so
 * invalid batches (and the schema checks they cost) are paid for too.
 */
export function eventCost(body: unknown): number {
  const events = (body as { events?: unknown } | undefined)?.events;
  return Array.isArray(events) ? Math.max(1, events.length) : 1;
}

/** The access rules' rate-limit part for ingest's routes (`rateLimit: 'events'` and `'incomingHook'`). */
export function ingestLimitRules(limits: IngestLimits): Pick<AccessRules<IngestAccessTypes>, 'rateLimits'> {
  const events = new RateLimit('events', limits.events);
  const incomingHook = new RateLimit('incomingHook', limits.incomingHook);
  return {
    rateLimits: {
      events({ req, res, caller }) {
        events.check(res, caller!.tenantId, eventCost(req.body));
      },
      // The route resolved the hook from its token before this runs; its hash names the hook without keeping the token.
      incomingHook({ req, res }) {
        incomingHook.check(res, hashApiKey(String(req.params.token)));
      },
    },
  };
}
