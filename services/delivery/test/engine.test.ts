import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endpoint, type Harness, startEngine, task, topics } from './engine-fixtures.js';

let harness: Harness | undefined;

beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') }));
afterEach(async () => {
  await harness?.log.close();
  harness = undefined;
  vi.useRealTimers();
});

/** The group's committed offset on `deliveries` (one partition in these tests). */
const committed = (h: Harness) => h.log.committed('delivery').find((c) => c.topic === topics.deliveries)?.offset;

describe('DeliveryEngine', () => {
  it('sends each task once, writes its final attempt and commits', async () => {
    harness = await startEngine();
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'));
    await vi.waitFor(() => expect(harness!.attempts()).toHaveLength(2));
    expect(harness.attempts()).toEqual([
      { eventId: 'e1', attempt: 1, final: true, outcome: 'success' },
      { eventId: 'e2', attempt: 1, final: true, outcome: 'success' },
    ]);
    await vi.waitFor(() => expect(committed(harness!)).toBe(2n));
    expect(harness.sender.sentEvents()).toEqual(['e1', 'e2']);
  });

  it('routes failures through delivery-policy: a retry tier, then a dead letter', async () => {
    harness = await startEngine({}, [endpoint('ep', { retrySchedule: ['5s'] })]);
    harness.sender.answers.set('e1', 503);
    harness.sender.answers.set('e2', 404);
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'), { ...task('ep', 'e3'), attempt: 2 });
    harness.sender.answers.set('e3', 500);
    await vi.waitFor(() => expect(harness!.attempts()).toHaveLength(3));
    expect(harness.log.values<{ eventId: string; attempt: number }>(topics.retry('5s')).map((t) => [t.eventId, t.attempt])).toEqual([
      ['e1', 2],
    ]);
    expect(
      harness.log.values<{ task: { eventId: string }; reason: string }>(topics.deadLetter).map((d) => [d.task.eventId, d.reason]),
    ).toEqual([
      ['e2', 'not retryable: receiver answered 404'],
      ['e3', 'retries exhausted after 2 attempts: receiver answered 500'],
    ]);
  });

  it('parks tasks of a disabled or deleted endpoint without sending them', async () => {
    harness = await startEngine({}, [endpoint('off', { isActive: false, disabledReason: 'too many failures' }), endpoint('ep')]);
    await harness.publish(task('off', 'e1'), task('gone', 'e2'), task('ep', 'sentinel'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['sentinel']));
    await vi.waitFor(() => expect(harness!.log.values(topics.deadLetter)).toHaveLength(2));
    expect(harness.log.values<{ kind: string; reason: string }>(topics.deadLetter).map((d) => [d.kind, d.reason])).toEqual([
      ['parked', 'endpoint disabled: too many failures'],
      ['parked', 'endpoint deleted'],
    ]);
  });

  it('sends a send-test even to a disabled endpoint, and never retries it', async () => {
    harness = await startEngine({}, [endpoint('off', { isActive: false })]);
    harness.sender.answers.set('t1', 500);
    await harness.publish({ ...task('off', 't1'), test: true });
    await vi.waitFor(() => expect(harness!.attempts()).toEqual([{ eventId: 't1', attempt: 1, final: true, outcome: 'failure' }]));
    expect(harness.log.values(topics.deadLetter)).toEqual([]);
  });

  it('sends an unreadable task to rejected with the reason, and the partition moves on', async () => {
    harness = await startEngine();
    await harness.publish('{not json', task('ep', 'sentinel'));
    await vi.waitFor(() => expect(harness!.attempts().map((a) => a.eventId)).toEqual(['sentinel']));
    const [rejected] = harness.log.values<{ reason: string; offset: string; value: string }>(topics.rejected);
    expect(rejected).toMatchObject({
      reason: expect.stringMatching(/^unreadable delivery task/),
      offset: '0',
      value: Buffer.from('{not json').toString('base64'),
    });
    await vi.waitFor(() => expect(committed(harness!)).toBe(2n));
  });

  it('never sends again when the send itself throws: the task goes to rejected with the reason', async () => {
    harness = await startEngine();
    harness.sender.answers.set('e1', new Error('body cannot be rendered'));
    await harness.publish(task('ep', 'e1'), task('ep', 'sentinel'));
    await vi.waitFor(() => expect(harness!.attempts().map((a) => a.eventId)).toEqual(['sentinel']));
    expect(harness.sender.sentEvents()).toEqual(['e1', 'sentinel']);
    expect(harness.log.values<{ reason: string }>(topics.rejected)).toEqual([
      expect.objectContaining({ reason: 'delivery failed: body cannot be rendered' }),
    ]);
    await vi.waitFor(() => expect(committed(harness!)).toBe(2n));
  });

  it('retries only the write of an outcome while the log refuses it, never the POST', async () => {
    harness = await startEngine();
    await harness.publish(task('ep', 'e1'));
    const release = harness.sender.gate('e1');
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['e1']));
    harness.log.failPublishes(new Error('broker down'));
    release();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(harness.attempts()).toEqual([]);
    expect(committed(harness) ?? 0n).toBe(0n);
    harness.log.failPublishes();
    await vi.advanceTimersByTimeAsync(5_000); // the longest back-off between writes
    await vi.waitFor(() => expect(harness!.attempts()).toHaveLength(1));
    expect(harness.sender.sentEvents()).toEqual(['e1']);
    await vi.waitFor(() => expect(committed(harness!)).toBe(1n));
  });

  it('defers work of an endpoint whose backlog is full to the defer tier, without counting an attempt', async () => {
    harness = await startEngine({ endpointBacklog: 1 }, [endpoint('ep', { maxConcurrency: 1 })]);
    const release = harness.sender.gate('e1');
    const start = Date.now();
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'), task('ep', 'e3'));
    await vi.waitFor(() => expect(harness!.log.values(topics.retry('5s'))).toHaveLength(1));
    expect(harness.log.values<{ eventId: string; attempt: number; dueAt: number }>(topics.retry('5s'))).toEqual([
      expect.objectContaining({ eventId: 'e3', attempt: 1, dueAt: start + 5_000 }),
    ]);
    release();
    await vi.waitFor(() => expect(harness!.attempts().map((a) => a.eventId)).toEqual(['e1', 'e2']));
  });

  it('keeps work over the backlog in memory while the endpoint answers and drains its queue quickly', async () => {
    harness = await startEngine({ endpointBacklog: 1 }, [endpoint('ep', { maxConcurrency: 1 })]);
    // e0 finishes at once: the endpoint has a pace (its queue would drain in no time).
    await harness.publish(task('ep', 'e0'));
    await vi.waitFor(() => expect(harness!.attempts()).toHaveLength(1));
    const release = harness.sender.gate('e1');
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['e0', 'e1']));
    await vi.advanceTimersByTimeAsync(10); // e2 waits in the endpoint's queue: its backlog (1) is full
    await harness.publish(task('ep', 'e3'));
    await vi.waitFor(() => expect(harness!.engine.inFlight).toBe(3));
    await vi.advanceTimersByTimeAsync(10);
    expect(harness.log.values(topics.retry('5s'))).toEqual([]);
    release();
    await vi.waitFor(() => expect(harness!.attempts().map((a) => a.eventId)).toEqual(['e0', 'e1', 'e2', 'e3']));
    expect(harness.log.values(topics.retry('5s'))).toEqual([]);
  });

  it('defers the work of a stalled endpoint as long as it has been stalled, and longer for each earlier deferral', async () => {
    harness = await startEngine({ endpointBacklog: 1 }, [endpoint('ep', { maxConcurrency: 1 })]);
    harness.sender.gate('e1');
    await harness.publish(task('ep', 'e1'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['e1']));
    // e1 holds the endpoint's only slot for 6 s: the endpoint is stalled.
    await vi.advanceTimersByTimeAsync(6_000);
    const start = Date.now();
    // e2 waits; e3 was deferred 3 times before (40 s), e4 never (as long as the endpoint has been stalled, 6 s).
    await harness.publish(task('ep', 'e2'), { ...task('ep', 'e3'), deferrals: 3 }, task('ep', 'e4'));
    type Deferred = { eventId: string; attempt: number; dueAt: number; deferrals: number };
    await vi.waitFor(() => expect(harness!.log.values(topics.retry('30s'))).toHaveLength(1));
    const [long] = harness.log.values<Deferred>(topics.retry('5m'));
    expect(long).toMatchObject({ eventId: 'e3', attempt: 1, deferrals: 4 });
    // Due 40 s after it was deferred (the fake clock moves a little while the test waits for the deferral).
    expect(long!.dueAt - start).toBeGreaterThanOrEqual(40_000);
    expect(long!.dueAt - start).toBeLessThan(41_000);
    const [stalledFor] = harness.log.values<Deferred>(topics.retry('30s'));
    expect(stalledFor).toMatchObject({ eventId: 'e4', deferrals: 1 });
    expect(stalledFor!.dueAt - start).toBeGreaterThanOrEqual(6_000);
    expect(stalledFor!.dueAt - start).toBeLessThan(7_000);
    expect(harness.log.values(topics.retry('5s'))).toEqual([]);
  });

  it('stops taking tasks at maxInFlight until one finishes', async () => {
    harness = await startEngine({ maxInFlight: 2 });
    const release = harness.sender.gate('e1');
    harness.sender.gate('e2');
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'), task('ep', 'e3'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['e1', 'e2']));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(harness.sender.sentEvents()).toEqual(['e1', 'e2']);
    release();
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['e1', 'e2', 'e3']));
  });

  it('stops gracefully: finishes what was sent, hands back what had not started, uncommitted', async () => {
    harness = await startEngine({}, [endpoint('ep', { maxConcurrency: 1 })]);
    const release = harness.sender.gate('e1');
    await harness.publish(task('ep', 'e0'), task('ep', 'e1'), task('ep', 'e2'), task('ep', 'e3'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['e0', 'e1']));
    await vi.waitFor(() => expect(harness!.engine.inFlight).toBe(3));
    const stopped = harness.engine.stop(1_000, 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    // The grace period is over: e2 and e3 (waiting behind e1) are handed back; e1 was sent and may finish.
    expect(harness.engine.inFlight).toBe(1);
    release();
    await stopped;
    expect(harness.sender.sentEvents()).toEqual(['e0', 'e1']);
    expect(harness.attempts().map((a) => a.eventId)).toEqual(['e0', 'e1']);
    expect(committed(harness)).toBe(2n);
  });

  it('at a stop, says on record that its open circuits close and its blocked lanes go to the next owner', async () => {
    harness = await startEngine({}, [
      endpoint('ep', {
        maxConcurrency: 1,
        retrySchedule: ['5m'],
        circuitBreaker: { minAttempts: 2, failureRatePercent: 100, cooldownSeconds: 30 },
      }),
      endpoint('strict', { ordering: 'strict', retrySchedule: ['5m'] }),
    ]);
    for (const id of ['e1', 'e2', 's1']) harness.sender.answers.set(id, 503);
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'), task('strict', 's1'));
    await vi.waitFor(() =>
      expect(harness!.status().map((s) => s.kind)).toEqual(expect.arrayContaining(['circuit-transition', 'lane-blocked'])),
    );
    const stopped = harness.engine.stop(1_000, 1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    await stopped;
    const status = harness.status();
    expect(status.filter((s) => s.endpointId === 'ep').map((s) => (s.kind === 'circuit-transition' ? [s.to, s.reason] : s.kind))).toEqual([
      ['open', '2 of the last 2 attempts failed'],
      ['closed', 'partitions moved; the new owner starts closed'],
    ]);
    expect(status.filter((s) => s.endpointId === 'strict')).toMatchObject([
      { kind: 'lane-blocked', key: null },
      { kind: 'lane-cleared', key: null, reason: 'handed to the next owner of the partition' },
    ]);
  });

  it('opens an endpoint circuit at its failure rate: later tasks wait out the cool-down on a tier, in order, unsent', async () => {
    const breaker = { minAttempts: 3, failureRatePercent: 100, cooldownSeconds: 30 };
    harness = await startEngine({}, [
      endpoint('ep', { maxConcurrency: 1, retrySchedule: ['5m'], circuitBreaker: breaker }),
      endpoint('ok'),
    ]);
    for (const id of ['e1', 'e2', 'e3']) harness.sender.answers.set(id, 503);
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'), task('ep', 'e3'), task('ep', 'e4'), task('ep', 'e5'), task('ok', 'sentinel'));
    await vi.waitFor(() => expect(harness!.log.values(topics.retry('30s'))).toHaveLength(2));
    expect(harness.sender.sentEvents().filter((id) => id !== 'sentinel')).toEqual(['e1', 'e2', 'e3']);
    const held = harness.log.values<{ eventId: string; attempt: number; dueAt: number }>(topics.retry('30s'));
    expect(held.map((t) => [t.eventId, t.attempt])).toEqual([
      ['e4', 1],
      ['e5', 1],
    ]);
    expect(held.every((t) => t.dueAt - Date.now() <= 30_000 && t.dueAt - Date.now() > 29_000)).toBe(true);
    expect(harness.engine.circuits.countNotClosed()).toEqual({ open: 1, halfOpen: 0 });
    // After the cool-down one probe goes out; its success closes the circuit.
    await vi.advanceTimersByTimeAsync(30_000);
    await harness.publish(task('ep', 'e6'), task('ep', 'e7'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents().slice(4)).toEqual(['e6', 'e7']));
    expect(harness.sender.sentEvents()).toContain('sentinel');
    expect(harness.engine.circuits.countNotClosed()).toEqual({ open: 0, halfOpen: 0 });
    // Each change is on `attempts` for the projector, keyed by the endpoint, with the numbers that opened it.
    await vi.waitFor(() =>
      expect(harness!.status().map((s) => (s.kind === 'circuit-transition' ? [s.from, s.to] : s.kind))).toEqual([
        ['closed', 'open'],
        ['open', 'half-open'],
        ['half-open', 'closed'],
      ]),
    );
    expect(harness.status()[0]).toMatchObject({ endpointId: 'ep', failed: 3, attempts: 3, reason: '3 of the last 3 attempts failed' });
  });

  it('leaves endpoints without a breaker alone', async () => {
    harness = await startEngine({}, [endpoint('ep', { maxConcurrency: 1, retrySchedule: ['5m'] })]);
    const ids = Array.from({ length: 30 }, (_, i) => `e${i}`);
    for (const id of ids) harness.sender.answers.set(id, 503);
    await harness.publish(...ids.map((id) => task('ep', id)));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toHaveLength(30));
    expect(harness.log.values(topics.retry('30s'))).toHaveLength(0);
  });

  it('strict ordering: a failing head is retried in place and the deliveries behind it wait; other endpoints do not', async () => {
    harness = await startEngine({}, [endpoint('ep', { ordering: 'strict', retrySchedule: ['5s', '5s'] }), endpoint('ok')]);
    harness.sender.answers.set('e1', 503);
    await harness.publish(task('ep', 'e1'), task('ep', 'e2'), task('ep', 'e3'), task('ok', 'other'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toContain('other'));
    expect(harness.sender.sentEvents().filter((id) => id !== 'other')).toEqual(['e1']);
    await vi.waitFor(() => expect(harness!.engine.lanes.blockedSummary(Date.now()).lanes).toBe(1));
    // The attempt is on record, the retry is not on a tier topic; after the backoff it is retried in place.
    await vi.waitFor(() => expect(harness!.attempts().filter((a) => a.eventId === 'e1')).toHaveLength(1));
    expect(harness.log.values(topics.retry('5s'))).toHaveLength(0);
    harness.sender.answers.set('e1', 200);
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(() => expect(harness!.sender.sentEvents().filter((id) => id !== 'other')).toEqual(['e1', 'e1', 'e2', 'e3']));
    expect(
      harness
        .attempts()
        .filter((a) => a.eventId === 'e1')
        .map((a) => [a.attempt, a.final, a.outcome]),
    ).toEqual([
      [1, false, 'failure'],
      [2, true, 'success'],
    ]);
    expect(harness.engine.lanes.blockedSummary(Date.now()).lanes).toBe(0);
  });

  it('strict ordering with a key: a blocked key holds back only its own deliveries; a dead letter unblocks it', async () => {
    harness = await startEngine({}, [endpoint('ep', { ordering: 'strict', orderingKey: 'data.n', retrySchedule: ['5s'] })]);
    const keyed = (id: string, key: string) => {
      const t = task('ep', id);
      return { ...t, event: { ...t.event, data: { n: key } } };
    };
    harness.sender.answers.set('a1', 503);
    await harness.publish(keyed('a1', 'A'), keyed('a2', 'A'), keyed('b1', 'B'), keyed('b2', 'B'));
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['a1', 'b1', 'b2']));
    await vi.advanceTimersByTimeAsync(5_000);
    // a1 fails again and its schedule is used up: dead-lettered, then a2 goes.
    await vi.waitFor(() => expect(harness!.sender.sentEvents()).toEqual(['a1', 'b1', 'b2', 'a1', 'a2']));
    await vi.waitFor(() => expect(harness!.log.values(topics.deadLetter)).toHaveLength(1));
    // Key A blocked at its first failure and cleared by the dead letter, each said once on `attempts`.
    await vi.waitFor(() =>
      expect(harness!.status().map((s) => [s.kind, s.endpointId, 'key' in s ? s.key : undefined])).toEqual([
        ['lane-blocked', 'ep', '"A"'],
        ['lane-cleared', 'ep', '"A"'],
      ]),
    );
    expect(harness.status()[1]).toMatchObject({ reason: 'the head was dead-lettered' });
  });
});
