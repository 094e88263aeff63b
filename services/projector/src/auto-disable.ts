import { type AttemptRecord, type ConfigRecord, type ConfigState, configKey, type EndpointRecord } from '@hookline/core';
import { disabledReason, reachesDisable, resolvePolicy, UnknownDeliverySetting } from '@hookline/delivery-policy';
import type { RecordPublisher } from '@hookline/kafka';
import type { EndpointStatsDoc } from '@hookline/store';

/**
 * The endpoint as it should be after this attempt: disabled, with the reason and last error, once its
 * consecutive failures reach its profile's threshold or at once after 410 Gone; undefined when nothing changes. Delivery stops sending
 * to the endpoint at the same count on its own, so with a threshold of 1 this attempt is the only failed one
 * and the reason names it.
 */
export function disabledAfter(
  endpoint: EndpointRecord | undefined,
  stats: EndpointStatsDoc,
  attempt: AttemptRecord,
  now = new Date(),
): EndpointRecord | undefined {
  if (!endpoint?.isActive || attempt.outcome === 'success') return undefined;
  // The failures were at another address: the endpoint was pointed elsewhere since, which makes them moot.
  if (attempt.url !== undefined && attempt.url !== endpoint.url) return undefined;
  const threshold = thresholdOf(endpoint);
  if (!reachesDisable(threshold, stats.consecutiveFailures, attempt)) return undefined;
  return {
    ...endpoint,
    isActive: false,
    disabledReason: disabledReason(threshold, stats.consecutiveFailures, attempt),
    disabledAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/**
 * The endpoint's auto-disable threshold; null (never) for an endpoint naming a setting this build does not know:
 * its deliveries are refused by delivery with that reason, and throwing here would stall projection.
 */
function thresholdOf(endpoint: EndpointRecord): number | null {
  try {
    return resolvePolicy(endpoint).disableAfterConsecutiveFailures;
  } catch (error) {
    if (error instanceof UnknownDeliverySetting) return null;
    throw error;
  }
}

/** The compare-and-set update of the config view (`ConfigView.update` of `@hookline/config`). */
export interface ConfigUpdater {
  update<T extends ConfigRecord>(
    publisher: RecordPublisher,
    key: string,
    read: (state: ConfigState) => T | undefined,
    change: (current: T) => T | undefined,
  ): Promise<T | undefined>;
}

/**
 * Disables the endpoint if this attempt makes it due, as a compare-and-set on the version the decision was made
 * from: when a concurrent edit lands first, the decision is made again on the fresh endpoint and written on top
 * of it (the edit is kept), or dropped when the fresh endpoint makes it moot (deleted, already disabled,
 * re-pointed, a higher threshold). Returns the disabled endpoint, or undefined when nothing was written.
 */
export function disableEndpoint(
  config: ConfigUpdater,
  publisher: RecordPublisher,
  endpointId: string,
  stats: EndpointStatsDoc,
  attempt: AttemptRecord,
): Promise<EndpointRecord | undefined> {
  return config.update(
    publisher,
    configKey('endpoint', endpointId),
    (state) => state.endpoints.get(endpointId),
    (fresh) => disabledAfter(fresh, stats, attempt),
  );
}
