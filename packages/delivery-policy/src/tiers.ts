import { parseDuration, type TopicNames } from '@hookline/core';

/**
 * Retry tiers are delays that exist as topics (`retry.<tier>`, `HOOKLINE_RETRY_TIERS`), except a tier of no
 * delay: its retries go straight back to `deliveries`. This file is the only place that knows it.
 */
export function isImmediateTier(tier: string): boolean {
  return parseDuration(tier) === 0;
}

/** Where a task retried or deferred to `tier` is written. */
export function tierTopic(topics: TopicNames, tier: string): string {
  return isImmediateTier(tier) ? topics.deliveries : topics.retry(tier);
}

/** The tiers that are topics: created at start and read by the retry forwarder. */
export function delayedTiers(tiers: readonly string[]): string[] {
  return tiers.filter((tier) => !isImmediateTier(tier));
}

/** Where work of an endpoint whose backlog is full waits: the first delayed tier, else straight back. */
export function deferTierOf(tiers: readonly string[]): string {
  return delayedTiers(tiers)[0] ?? '0s';
}

/**
 * The shortest tier whose delay covers `delayMs`, the longest when none does: a task held back that long passes
 * through Kafka once, rather than once per short tier.
 */
export function tierCovering(tiers: readonly string[], delayMs: number): string {
  const byDelay = [...tiers].sort((a, b) => parseDuration(a) - parseDuration(b));
  return byDelay.find((tier) => parseDuration(tier) >= delayMs) ?? byDelay[byDelay.length - 1]!;
}

/** The longest a task turned away by a full endpoint backlog waits before it is offered to the endpoint again. */
export const backlogDeferCapMs = 5 * 60_000;

/**
 * Where and how long a task waits when its endpoint's backlog is full: until that backlog should have drained
 * at the endpoint's recent pace (`drainEstimateMs`; the first delayed tier's delay while nothing is known), at
 * most `backlogDeferCapMs`, in the shortest tier that covers the wait. Offered again after a fixed 5 s, the
 * tasks of an endpoint that hangs until its timeout went round through Kafka every 5 s for as long as it hung,
 * hundreds a second that every other endpoint's deliveries had to share the processes and the broker with.
 */
export function backlogDeferral(tiers: readonly string[], drainEstimateMs: number | undefined): { tier: string; delayMs: number } {
  const delayed = delayedTiers(tiers);
  if (delayed.length === 0) return { tier: deferTierOf(tiers), delayMs: 0 };
  const waitMs = Math.min(drainEstimateMs ?? parseDuration(deferTierOf(tiers)), backlogDeferCapMs);
  const tier = tierCovering(delayed, waitMs);
  return { tier, delayMs: Math.ceil(Math.min(waitMs, parseDuration(tier))) };
}
