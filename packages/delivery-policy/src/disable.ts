import type { AttemptRecord } from '@hookline/core';

/** The failed attempt a disable names. */
export type DisablingAttempt = Pick<AttemptRecord, 'deliveryId' | 'errorMessage' | 'errorClass'>;

/**
 * Why an endpoint is disabled once its consecutive failures reach `threshold`. The projector writes it with
 * the disable; delivery parks what it holds back with it while that write is on its way. With a threshold of
 * 1 the endpoint stops at its first failure, and the reason names that one.
 */
export function disabledReason(threshold: number, consecutiveFailures: number, attempt: DisablingAttempt): string {
  const error = attempt.errorMessage ?? attempt.errorClass ?? 'unknown';
  if (threshold === 1) return `first failed delivery (${attempt.deliveryId}): ${error}`;
  return `${consecutiveFailures} consecutive failed deliveries; last error: ${error}`;
}
