import type { AttemptRecord } from '@hookline/core';

/** The failed attempt a disable names. */
export type DisablingAttempt = Pick<AttemptRecord, 'deliveryId' | 'errorMessage' | 'errorClass'> &
  Pick<Partial<AttemptRecord>, 'statusCode'>;

/**
 * A receiver that answers 410 Gone says the endpoint no longer exists: it is disabled at once, whatever its
 * threshold (even `null`, never), as Svix does. Retrying or sending more would only repeat the answer.
 */
export function disablesAtOnce(attempt: Pick<Partial<AttemptRecord>, 'statusCode'>): boolean {
  return attempt.statusCode === 410;
}

/**
 * Whether an endpoint is to be disabled after a failed attempt: at once for 410 Gone, else once its
 * consecutive failures reach its threshold (`null`: never).
 */
export function reachesDisable(
  threshold: number | null,
  consecutiveFailures: number,
  attempt: Pick<Partial<AttemptRecord>, 'statusCode'>,
): boolean {
  if (disablesAtOnce(attempt)) return true;
  return threshold !== null && consecutiveFailures >= threshold;
}

/**
 * Why an endpoint is disabled once its consecutive failures reach `threshold`. The projector writes it with
 * the disable; delivery parks what it holds back with it while that write is on its way. With a threshold of
 * 1 the endpoint stops at its first failure, and the reason names that one.
 */
export function disabledReason(threshold: number | null, consecutiveFailures: number, attempt: DisablingAttempt): string {
  const error = attempt.errorMessage ?? attempt.errorClass ?? 'unknown';
  if (disablesAtOnce(attempt)) return `receiver answered 410 Gone (${attempt.deliveryId}): the endpoint no longer exists`;
  if (threshold === 1) return `first failed delivery (${attempt.deliveryId}): ${error}`;
  return `${consecutiveFailures} consecutive failed deliveries; last error: ${error}`;
}
