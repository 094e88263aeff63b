import {
  type AttemptRecord,
  type DeadLetterRecord,
  type DeliveryTask,
  deadLetterRecord,
  type EndpointRecord,
  parseDuration,
  type TopicNames,
} from '@hookline/core';
import { rejectedRecord, type TopicRecords } from '@hookline/kafka';
import { type AttemptFailure, failureOfRecord } from './failures.js';
import { planTask } from './plan.js';
import type { DeliveryPolicy } from './policy.js';
import { taskRecord } from './records.js';
import { tierTopic } from './tiers.js';

/** An attempt as the sender reports it: the record without `final`, and what the routing needs besides. */
export interface AttemptOutcome {
  record: Omit<AttemptRecord, 'final'> & { final?: boolean };
  /** The typed failure; read back from the record when absent. */
  failure?: AttemptFailure | undefined;
  /** The receiver's `Retry-After` header, as sent. */
  retryAfter?: string | undefined;
}

/** What follows an attempt, and the records that say so (to publish together, in this order). */
export interface RoutedOutcome {
  attempt: AttemptRecord;
  retry?: { tier: string; task: DeliveryTask };
  deadLetter?: DeadLetterRecord;
  records: TopicRecords[];
}

/**
 * Routes an attempt: always its attempt record (`final` unless a retry follows), plus the next attempt on the
 * retry tier the schedule names, or a dead letter when the failure is not retryable or the schedule is used
 * up. Tiers are topics with fixed delays, so a receiver's `Retry-After` is honoured by taking the first
 * remaining tier at least that long (never a shorter one). A send-test is never retried or dead-lettered.
 */
export function routeOutcome(
  task: DeliveryTask,
  outcome: AttemptOutcome,
  policy: DeliveryPolicy,
  topics: TopicNames,
  now: number,
): RoutedOutcome {
  const { record } = outcome;
  const failure = record.outcome === 'success' ? undefined : (outcome.failure ?? failureOfRecord(record as AttemptRecord));
  const step =
    task.test || !failure ? ({ kind: 'done' } as const) : nextStep(task, failure, record, policy, parseRetryAfter(outcome.retryAfter, now));
  const attempt: AttemptRecord = { ...record, final: step.kind !== 'retry' };
  const routed: RoutedOutcome = {
    attempt,
    records: [{ topic: topics.attempts, records: [{ key: task.endpointId, value: JSON.stringify(attempt) }] }],
  };
  if (step.kind === 'retry') {
    const retried = planTask({ kind: 'retry', task, attempt: task.attempt + 1, dueAt: now + step.delayMs });
    routed.retry = { tier: step.tier, task: retried };
    routed.records.push({ topic: tierTopic(topics, step.tier), records: [taskRecord(retried)] });
  } else if (step.kind === 'dead-letter') {
    routed.deadLetter = deadLetter(task, step.reason, 'failed', now, attempt);
    routed.records.push(deadLetterRecords(topics, routed.deadLetter));
  }
  return routed;
}

type Step = { kind: 'retry'; tier: string; delayMs: number } | { kind: 'dead-letter'; reason: string };

function nextStep(
  task: DeliveryTask,
  failure: AttemptFailure,
  record: AttemptOutcome['record'],
  policy: DeliveryPolicy,
  retryAfterMs: number | undefined,
): Step {
  const reason = record.errorMessage ?? record.errorClass ?? 'failed';
  if (!failure.retryable) return { kind: 'dead-letter', reason: `not retryable: ${reason}` };
  const retriesUsed = task.attempt - 1;
  if (retriesUsed >= policy.retryDelaysMs.length)
    return { kind: 'dead-letter', reason: `retries exhausted after ${task.attempt} attempts: ${reason}` };
  let index = retriesUsed;
  if (retryAfterMs !== undefined) {
    while (index < policy.retryDelaysMs.length - 1 && policy.retryDelaysMs[index]! < retryAfterMs) index++;
  }
  return { kind: 'retry', tier: policy.retryTiers[index]!, delayMs: policy.retryDelaysMs[index]! };
}

/**
 * Strict ordering: a retry is made in place (the engine waits out the delay holding the endpoint's lane) rather
 * than through a tier topic, where later deliveries would overtake it. Returns the records to publish now (the
 * attempt, not final) and the next attempt with its delay.
 */
export function retryInPlace(
  routed: RoutedOutcome,
  topics: TopicNames,
  now: number,
): { records: TopicRecords[]; next?: { task: DeliveryTask; delayMs: number } } {
  if (!routed.retry) return { records: routed.records };
  const retryTopic = tierTopic(topics, routed.retry.tier);
  return {
    records: routed.records.filter((r) => r.topic !== retryTopic),
    next: { task: routed.retry.task, delayMs: Math.max(0, routed.retry.task.dueAt - now) },
  };
}

/** Never attempted: the endpoint is disabled or deleted. Parked in the dead-letter topic for a later replay. */
export function parkTask(
  task: DeliveryTask,
  endpoint: EndpointRecord | undefined,
  topics: TopicNames,
  now: number,
): { deadLetter: DeadLetterRecord; records: TopicRecords[] } {
  const reason = endpoint ? `endpoint disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}` : 'endpoint deleted';
  const letter = deadLetter(task, reason, 'parked', now);
  return { deadLetter: letter, records: [deadLetterRecords(topics, letter)] };
}

/**
 * The task cannot be sent now (its endpoint's backlog is full, or its circuit is open): it goes to `tier`
 * without counting an attempt, due after `waitMs` (when the backlog has probably drained, or the cool-down
 * ends; see `backlogDeferral`), at most the tier's delay. Due at once, the task of an endpoint that hangs would
 * come straight back to a backlog still full and circle through Kafka as fast as the broker allows; always
 * after the full delay, a fast endpoint with a burst would get only ~backlog tasks per delay.
 */
export function deferTask(
  task: DeliveryTask,
  tier: string,
  waitMs: number | undefined,
  topics: TopicNames,
  now: number,
): { task: DeliveryTask; records: TopicRecords[] } {
  // Whole milliseconds: `dueAt` is an integer in the task schema (a fraction made the task unreadable).
  const delayMs = Math.ceil(Math.min(parseDuration(tier), waitMs ?? Number.POSITIVE_INFINITY));
  const deferred = planTask({ kind: 'defer', task, dueAt: now + delayMs });
  return { task: deferred, records: [{ topic: tierTopic(topics, tier), records: [taskRecord(deferred)] }] };
}

function deadLetter(
  task: DeliveryTask,
  reason: string,
  kind: DeadLetterRecord['kind'],
  now: number,
  lastAttempt?: AttemptRecord,
): DeadLetterRecord {
  return deadLetterRecord.parse({ task, reason, kind, lastAttempt, deadLetteredAt: new Date(now).toISOString() });
}

function deadLetterRecords(topics: TopicNames, letter: DeadLetterRecord): TopicRecords {
  return { topic: topics.deadLetter, records: [{ key: letter.task.endpointId, value: JSON.stringify(letter) }] };
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether an attempt record's failure is worth another attempt (false for a success). */
export function isRetryable(record: Parameters<typeof failureOfRecord>[0]): boolean {
  return failureOfRecord(record)?.retryable ?? false;
}

/** Where a record came from, to say so in the `rejected` topic. */
export type RejectedSource = Parameters<typeof rejectedRecord>[0];

/**
 * A record that cannot be delivered (unreadable, or its delivery failed in a way no retry fixes) goes to
 * `rejected` with the reason, in the shape every service writes there, and its partition moves on.
 */
export function rejectRecord(source: RejectedSource, reason: string, topics: TopicNames): TopicRecords {
  return { topic: topics.rejected, records: [rejectedRecord(source, reason)] };
}
