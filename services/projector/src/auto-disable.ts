import { type AttemptRecord, configKey, type EndpointRecord } from '@hookline/core';
import { disabledReason, reachesDisable, resolvePolicy, UnknownDeliverySetting } from '@hookline/delivery-policy';
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

export const endpointKey = (id: string) => configKey('endpoint', id);
