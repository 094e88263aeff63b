import { resolvePolicy } from '@hookline/delivery-policy';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FailureGate } from '../src/failure-gate.js';
import { endpoint, type Harness, startEngine, task, topics } from './engine-fixtures.js';

let harness: Harness | undefined;

beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') }));
afterEach(async () => {
  await harness?.log.close();
  harness = undefined;
  vi.useRealTimers();
});

const parked = (h: Harness) =>
  h.log
    .values<{ task: { eventId: string }; kind: string; reason: string }>(topics.deadLetter)
    .filter((d) => d.kind === 'parked')
    .map((d) => [d.task.eventId, d.reason]);

describe('DeliveryEngine at an endpoint’s failure threshold', () => {
  it('sends a threshold-1 endpoint one request at a time and nothing after its first failure (before any disable lands)', async () => {
    harness = await startEngine({}, [endpoint('th', { profile: 'threadhound' })]);
    const release = harness.sender.gate('e1');
    harness.sender.answers.set('e1', 500);
    await harness.publish(task('th', 'e1'), task('th', 'e2'), task('th', 'e3'));
    await vi.waitFor(() => expect(harness!.engine.inFlight).toBe(3));
    // e2 and e3 wait behind e1: a second request in flight could reach a receiver that has just failed.
    expect(harness.sender.sentEvents()).toEqual(['e1']);
    release();
    await vi.waitFor(() => expect(parked(harness!)).toHaveLength(2));
    expect(harness.sender.sentEvents()).toEqual(['e1']);
    const deliveryId = task('th', 'e1').deliveryId;
    expect(parked(harness)).toEqual([
      ['e2', `endpoint disabled: first failed delivery (${deliveryId}): receiver answered 500`],
      ['e3', `endpoint disabled: first failed delivery (${deliveryId}): receiver answered 500`],
    ]);
    expect(harness.attempts()).toEqual([{ eventId: 'e1', attempt: 1, final: true, outcome: 'failure' }]);
  });

  it('holds back everything after 410 Gone, even for an endpoint that is never disabled by count', async () => {
    harness = await startEngine({}, [endpoint('gone', { disableAfterConsecutiveFailures: null, maxConcurrency: 1 })]);
    harness.sender.answers.set('e1', 410);
    await harness.publish(task('gone', 'e1'), task('gone', 'e2'), task('gone', 'e3'));
    await vi.waitFor(() => expect(parked(harness!)).toHaveLength(2));
    expect(harness.sender.sentEvents()).toEqual(['e1']);
    const reason = `endpoint disabled: receiver answered 410 Gone (${task('gone', 'e1').deliveryId}): the endpoint no longer exists`;
    expect(parked(harness)).toEqual([
      ['e2', reason],
      ['e3', reason],
    ]);
  });

  it('sends again once the endpoint changes (the disable, then a re-enable), counting afresh', async () => {
    harness = await startEngine({}, [endpoint('th', { profile: 'threadhound', updatedAt: 'v1' })]);
    harness.sender.answers.set('e1', 500);
    await harness.publish(task('th', 'e1'), task('th', 'e2'));
    await vi.waitFor(() => expect(parked(harness!)).toHaveLength(1));
    harness.state.apply('endpoint:th', endpoint('th', { profile: 'threadhound', updatedAt: 'v3' }));
    await harness.publish(task('th', 'e3'));
    await vi.waitFor(() => expect(harness!.attempts().map((a) => a.eventId)).toEqual(['e1', 'e3']));
    expect(harness.sender.sentEvents()).toEqual(['e1', 'e3']);
  });

  it('holds back at any threshold once reached; a success in between starts the count over', async () => {
    harness = await startEngine({}, [endpoint('ta', { profile: 'taskapp', retrySchedule: [], maxConcurrency: 1 })]);
    for (const id of ['e1', 'e2', 'e4', 'e5', 'e6', 'e7']) harness.sender.answers.set(id, 500);
    await harness.publish(...['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'].map((id) => task('ta', id)));
    await vi.waitFor(() => expect(parked(harness!)).toHaveLength(2));
    expect(harness.sender.sentEvents()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect(parked(harness)).toEqual([
      ['e7', 'endpoint disabled: 3 consecutive failed deliveries; last error: receiver answered 500'],
      ['e8', 'endpoint disabled: 3 consecutive failed deliveries; last error: receiver answered 500'],
    ]);
  });

  it('lets send-tests through and does not count their failures', async () => {
    harness = await startEngine({}, [endpoint('th', { profile: 'threadhound' })]);
    for (const id of ['t1', 'e2', 't2']) harness.sender.answers.set(id, 500);
    await harness.publish({ ...task('th', 't1'), test: true }, task('th', 'e1'), task('th', 'e2'), { ...task('th', 't2'), test: true });
    await harness.publish(task('th', 'e3'));
    await vi.waitFor(() => expect(parked(harness!)).toHaveLength(1));
    expect(harness.sender.sentEvents()).toEqual(['t1', 'e1', 'e2', 't2']);
    expect(parked(harness).map(([id]) => id)).toEqual(['e3']);
  });
});

describe('FailureGate', () => {
  it('lets a probe through when a hold outlasts its limit (a disable that never came), and holds again at its failure', () => {
    let now = 0;
    const gate = new FailureGate(60_000, () => now);
    const th = endpoint('th', { profile: 'threadhound' });
    const policy = resolvePolicy(th);
    const failed = { outcome: 'failure' as const, deliveryId: 'd1', errorMessage: 'receiver answered 500' };
    gate.record(task('th', 'e1'), th, failed);
    expect(gate.holdsBack(th, policy)).toBe('first failed delivery (d1): receiver answered 500');
    now = 60_000;
    expect(gate.holdsBack(th, policy)).toBeDefined();
    now = 60_001;
    expect(gate.holdsBack(th, policy)).toBeUndefined();
    gate.record(task('th', 'e2'), th, { ...failed, deliveryId: 'd2' });
    expect(gate.holdsBack(th, policy)).toBe('first failed delivery (d2): receiver answered 500');
    gate.forget();
    expect(gate.holdsBack(th, policy)).toBeUndefined();
  });
});
