import type { AttemptRecord, DeliveryPolicy } from '@hookline/core';

export type NextStep =
  | { kind: 'done' }
  | { kind: 'retry'; attempt: number; tier: string; delayMs: number }
  | { kind: 'dead-letter'; reason: string };

/** Whether a failed attempt is worth repeating: network errors, timeouts, 408, 429 and 5xx are. */
export function isRetryable(attempt: AttemptRecord): boolean {
  if (attempt.outcome === 'success') return false;
  if (attempt.statusCode === undefined) return attempt.errorClass !== 'edestinationrefused';
  return attempt.statusCode === 408 || attempt.statusCode === 429 || attempt.statusCode >= 500;
}

/**
 * What follows an attempt. Retry tiers are topics with a fixed delay, so a receiver's `Retry-After` is
 * honoured by picking the first remaining tier at least that long (never a shorter one).
 */
export function nextStep(attempt: AttemptRecord, policy: DeliveryPolicy, retryAfterMs?: number): NextStep {
  if (attempt.outcome === 'success') return { kind: 'done' };
  const reason = attempt.errorMessage ?? attempt.errorClass ?? 'failed';
  if (!isRetryable(attempt)) return { kind: 'dead-letter', reason: `not retryable: ${reason}` };
  const retriesUsed = attempt.attempt - 1;
  if (retriesUsed >= policy.retryDelaysMs.length) {
    return { kind: 'dead-letter', reason: `retries exhausted after ${attempt.attempt} attempts: ${reason}` };
  }
  let index = retriesUsed;
  if (retryAfterMs !== undefined) {
    while (index < policy.retryDelaysMs.length - 1 && policy.retryDelaysMs[index]! < retryAfterMs) index++;
  }
  return { kind: 'retry', attempt: attempt.attempt + 1, tier: policy.retryTiers[index]!, delayMs: policy.retryDelaysMs[index]! };
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
