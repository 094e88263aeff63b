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
 * An endpoint whose every request slot has been taken this long, with no request finishing (or starting) within
 * this long meanwhile, is stalled (it hangs, or answers this slowly).
 */
export const endpointStalledAfterMs = 5_000;

/** What the delivery engine knows of an endpoint whose backlog is full, and of the task that finds it so. */
export interface BacklogState {
  /** Tasks waiting for one of the endpoint's request slots. */
  queued: number;
  /** Its backlog (`DELIVERY_ENDPOINT_BACKLOG`). */
  backlog: number;
  /** When the endpoint's queue should have drained at its recent pace; undefined before anything finished. */
  drainEstimateMs: number | undefined;
  /** How long every request slot of the endpoint has been taken while it showed no progress (0: one is free). */
  stalledForMs: number;
  /** How often this attempt was deferred before (`DeliveryTask.deferrals`). */
  deferrals: number | undefined;
}

const isStalled = (state: Pick<BacklogState, 'stalledForMs'>) => state.stalledForMs >= endpointStalledAfterMs;

/** How soon an endpoint must be expected to drain its queue for a task over its backlog to wait in memory. */
export const backlogWaitInMemoryMs = 500;
/** However fast it drains, an endpoint's queue in memory stays under this many times its backlog. */
export const backlogWaitInMemoryFactor = 5;

/**
 * Whether a task over its endpoint's full backlog waits for the endpoint in memory instead of being deferred:
 * when the endpoint answers (not stalled) and, at its recent pace, empties its queue within
 * `backlogWaitInMemoryMs`. Such a backlog is our own lag (a burst fetched at once after a pause, a busy event
 * loop), not the endpoint's, and a deferral would cost the task at least the first tier's delay (5 s) and two
 * trips through Kafka; at 80 % load bursts like that deferred thousands of healthy tasks and took the p99 to
 * seconds (docs/benchmarks.md, round 5). The queue stays bounded (`backlogWaitInMemoryFactor`), so an endpoint
 * that starts to hang holds few tasks in memory before it counts as stalled.
 */
export function waitsOverBacklog(state: Omit<BacklogState, 'deferrals'>): boolean {
  if (isStalled(state) || state.drainEstimateMs === undefined) return false;
  return state.drainEstimateMs <= backlogWaitInMemoryMs && state.queued < state.backlog * backlogWaitInMemoryFactor;
}

/**
 * Where and how long a task waits when its endpoint's backlog is full (and it does not `waitsOverBacklog`): until
 * that backlog should have drained at the endpoint's recent pace, at most the first delayed tier's delay. A
 * stalled endpoint (every slot taken and no progress for `endpointStalledAfterMs`, e.g. one that hangs until the
 * timeout) instead holds the task back for as long as it has been stalled, and at least that delay doubled for each
 * earlier deferral of this attempt, up to `backlogDeferCapMs`, in the shortest tier that covers it. Offered again
 * every 5 s, its tasks went round through Kafka for as long as it hung, hundreds a second that every other
 * endpoint's deliveries shared the processes and the broker with. Doubling per task alone still started every new
 * task at 5 s (about log2(T / 5 s) trips each over an outage of T); waiting as long as the endpoint has hung, a
 * task goes round about twice on average over an outage of any length. Only a stalled endpoint: an
 * estimate inflated by a moment of overload on our side (a burst, a busy event loop) would hold healthy endpoints'
 * tasks back for minutes, and measured so, overload got worse (docs/benchmarks.md, round 4).
 */
export function backlogDeferral(
  tiers: readonly string[],
  state: Pick<BacklogState, 'drainEstimateMs' | 'stalledForMs' | 'deferrals'>,
): { tier: string; delayMs: number } {
  const delayed = delayedTiers(tiers);
  if (delayed.length === 0) return { tier: deferTierOf(tiers), delayMs: 0 };
  // The first delayed tier: `deferTierOf`, without filtering the tiers again.
  const firstMs = parseDuration(delayed[0]!);
  const limitMs = isStalled(state)
    ? Math.min(Math.max(firstMs * 2 ** Math.min(state.deferrals ?? 0, 20), state.stalledForMs), backlogDeferCapMs)
    : firstMs;
  const waitMs = Math.min(state.drainEstimateMs ?? limitMs, limitMs);
  const tier = tierCovering(delayed, waitMs);
  return { tier, delayMs: Math.ceil(Math.min(waitMs, parseDuration(tier))) };
}
