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
