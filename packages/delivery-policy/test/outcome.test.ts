import { deadLetterRecord, deliveryTask, topicNames } from '@hookline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deferTask,
  HttpStatusFailure,
  isRetryable,
  parkTask,
  parseRetryAfter,
  rejectRecord,
  resolvePolicy,
  routeOutcome,
  TimeoutFailure,
} from '../src/index.js';
import { attempt, endpoint, task } from './fixtures.js';

const topics = topicNames('h.');
const twig = resolvePolicy(endpoint({ profile: 'twig' }));
const route = (n: number, over: Parameters<typeof attempt>[0], retryAfter?: string) =>
  routeOutcome(task(n), { record: attempt({ attempt: n, ...over }), retryAfter }, twig, topics, 1_000);

describe('routeOutcome', () => {
  it('follows the profile schedule and dead-letters when it is exhausted', () => {
    const first = route(1, { statusCode: 500 });
    expect(first.retry).toMatchObject({ tier: '5s', task: { attempt: 2, dueAt: 6_000 } });
    expect(first.attempt.final).toBe(false);
    expect(first.records.map((r) => r.topic)).toEqual(['h.attempts', 'h.retry.5s']);
    expect(route(4, { statusCode: 503 }).retry).toMatchObject({ tier: '1h', task: { attempt: 5 } });
    const last = route(5, { statusCode: 503, errorMessage: 'receiver answered 503' });
    expect(last.deadLetter).toMatchObject({ kind: 'failed', reason: 'retries exhausted after 5 attempts: receiver answered 503' });
    expect(last.attempt.final).toBe(true);
    expect(last.records.map((r) => r.topic)).toEqual(['h.attempts', 'h.dead-letter']);
    deadLetterRecord.parse(JSON.parse(last.records[1]!.records[0]!.value as string));
  });

  it('retries network errors, timeouts, 408, 429 and 5xx, and nothing else', () => {
    for (const retryable of [
      { errorClass: 'econnreset' },
      { errorClass: 'etimedout' },
      { errorClass: 'timeout' },
      { errorClass: 'enotfound' },
      { errorClass: 'cert_has_expired' },
      { errorClass: 'something_new' },
      { statusCode: 408 },
      { statusCode: 429 },
      { statusCode: 502 },
    ]) {
      expect(route(1, retryable).retry, JSON.stringify(retryable)).toBeDefined();
    }
    for (const final of [{ statusCode: 400 }, { statusCode: 404 }, { statusCode: 301 }, { errorClass: 'edestinationrefused' }]) {
      expect(route(1, final).deadLetter?.reason, JSON.stringify(final)).toMatch(/^not retryable/);
    }
    const done = route(1, { outcome: 'success', statusCode: 200 });
    expect(done).toMatchObject({ attempt: { final: true } });
    expect(done.records).toHaveLength(1);
  });

  it('decides from the typed failure when the sender gives one', () => {
    const record = attempt({ errorClass: 'whatever' });
    expect(routeOutcome(task(), { record, failure: new HttpStatusFailure(404) }, twig, topics, 0).deadLetter).toBeDefined();
    expect(routeOutcome(task(), { record, failure: new TimeoutFailure('timeout', 'slow') }, twig, topics, 0).retry).toBeDefined();
  });

  it('never retries or dead-letters a send-test', () => {
    const routed = routeOutcome({ ...task(), test: true }, { record: attempt({ statusCode: 500 }) }, twig, topics, 0);
    expect(routed).toMatchObject({ attempt: { final: true } });
    expect(routed.records).toHaveLength(1);
  });

  it('sends a 0s tier straight back to deliveries', () => {
    const policy = resolvePolicy(endpoint({ retrySchedule: ['0s', '5s'] }));
    expect(routeOutcome(task(), { record: attempt({ statusCode: 500 }) }, policy, topics, 0).records[1]!.topic).toBe('h.deliveries');
  });

  it('honours Retry-After by choosing a long enough tier', () => {
    expect(route(1, { statusCode: 429 }, '60').retry?.tier).toBe('5m');
    expect(route(1, { statusCode: 429 }, '100000').retry?.tier).toBe('1h');
    // A 503 with Retry-After (a receiver in maintenance) is honoured the same way as a 429.
    expect(route(1, { statusCode: 503 }, '60').retry?.tier).toBe('5m');
    expect(route(1, { statusCode: 503 }).retry?.tier).toBe('5s');
  });

  it('keeps every property: one attempt record first, final iff no retry, tasks readable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(200, 301, 400, 408, 429, 500, 503),
        fc.option(fc.nat(7200)),
        (n, status, after) => {
          const routed = route(
            n,
            { statusCode: status, outcome: status === 200 ? 'success' : 'failure' },
            after === null ? undefined : String(after),
          );
          expect(routed.records[0]!.topic).toBe('h.attempts');
          expect(routed.attempt.final).toBe(routed.retry === undefined);
          expect(routed.retry !== undefined && routed.deadLetter !== undefined).toBe(false);
          if (routed.retry) {
            deliveryTask.parse(routed.retry.task);
            expect(twig.retryTiers).toContain(routed.retry.tier);
            expect(routed.retry.task.attempt).toBe(n + 1);
          }
        },
      ),
    );
  });
});

describe('park and defer', () => {
  it('parks a task of a disabled or deleted endpoint with the reason', () => {
    expect(parkTask(task(), endpoint({ isActive: false, disabledReason: 'too many failures' }), topics, 0).deadLetter).toMatchObject({
      kind: 'parked',
      reason: 'endpoint disabled: too many failures',
    });
    expect(parkTask(task(), undefined, topics, 0).deadLetter.reason).toBe('endpoint deleted');
  });

  it('defers to the tier, due when the backlog probably drained, in whole ms', () => {
    const deferred = deferTask(task(), '5s', 1234.5, topics, 100);
    expect(deferred.task).toMatchObject({ attempt: 1, dueAt: 1335 });
    expect(deferred.records[0]!.topic).toBe('h.retry.5s');
    expect(deferTask(task(), '5s', undefined, topics, 0).task.dueAt).toBe(5000);
  });
});

describe('Retry-After and retryability of stored records', () => {
  it('parses seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(parseRetryAfter(new Date(0).toUTCString(), 5_000)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it('reads attempt records written by the previous version', () => {
    expect(isRetryable(attempt({ errorClass: 'econnrefused', errorMessage: 'connect ECONNREFUSED 127.0.0.1:1' }))).toBe(true);
    expect(isRetryable(attempt({ errorClass: 'edestinationrefused' }))).toBe(false);
    expect(isRetryable(attempt({ statusCode: 410, errorClass: 'http_410' }))).toBe(false);
    expect(isRetryable(attempt({ outcome: 'success', statusCode: 204 }))).toBe(false);
  });
});

describe('rejectRecord', () => {
  it('says why and where the record came from, with its bytes', () => {
    const rejected = rejectRecord(
      { topic: 'h.deliveries', partition: 2, offset: 7n, key: 'ep', value: Buffer.from('{oops') },
      'unreadable task',
      topics,
    );
    expect(rejected.topic).toBe('h.rejected');
    expect(JSON.parse(rejected.records[0]!.value as string)).toEqual({
      reason: 'unreadable task',
      topic: 'h.deliveries',
      partition: 2,
      offset: '7',
      value: Buffer.from('{oops').toString('base64'),
    });
  });
});
