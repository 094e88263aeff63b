import { configKey, type AttemptRecord, type EndpointRecord } from '@hookline/core';
import { resolvePolicy } from '@hookline/delivery-policy';
import type { EndpointStatsDoc } from '@hookline/store';

/**
 * The endpoint as it should be after this attempt: disabled, with the reason and last error, once its
 * consecutive failures reach its profile's threshold; undefined when nothing changes.
 */
export function disabledAfter(endpoint: EndpointRecord | undefined, stats: EndpointStatsDoc, attempt: AttemptRecord, now = new Date()): EndpointRecord | undefined {
  if (!endpoint || !endpoint.isActive || attempt.outcome === 'success') return undefined;
  const threshold = resolvePolicy(endpoint).disableAfterConsecutiveFailures;
  if (threshold === null || stats.consecutiveFailures < threshold) return undefined;
  return {
    ...endpoint,
    isActive: false,
    disabledReason: `${stats.consecutiveFailures} consecutive failed deliveries; last error: ${attempt.errorMessage ?? attempt.errorClass ?? 'unknown'}`,
    disabledAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

export const endpointKey = (id: string) => configKey('endpoint', id);
