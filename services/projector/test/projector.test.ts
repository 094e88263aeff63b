import { ConfigView } from '@hookline/config';
import { type AttemptRecord, configKey, type DeadLetterRecord, type EndpointRecord, testEndpoint, topicNames } from '@hookline/core';
import {
  coreTopicSpecs,
  createMemoryEventLog,
  type EventLog,
  type RecordPublisher,
  type RejectedValue,
  type RunningConsumer,
  recordJson,
  TopicReader,
} from '@hookline/kafka';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startProjector } from '../src/projector.js';
import { MemoryProjectionStore } from './memory-stores.js';

const logger = pino({ level: 'silent' });
const topics = topicNames('test.');
const tenantId = 'ten_1';

function endpoint(id: string, disableAfterConsecutiveFailures: number | null = 3): EndpointRecord {
  return testEndpoint(id, { tenantId, disableAfterConsecutiveFailures });
}

let attemptSeq = 0;
function attempt(endpointId: string, outcome: 'success' | 'failure', over: Partial<AttemptRecord> = {}): AttemptRecord {
  const n = attemptSeq++;
  return {
    attemptId: `att_${String(n).padStart(4, '0')}`,
    deliveryId: `dlv_${n}`,
    eventId: `evt_${n}`,
    eventType: 'order.created',
    endpointId,
    tenantId,
    attempt: 1,
    url: `http://127.0.0.1:9/${endpointId}`,
    startedAt: new Date(1_767_225_600_000 + n).toISOString(),
    durationMs: 12,
    outcome,
    ...(outcome === 'failure' ? { statusCode: 500, errorClass: 'http_5xx', errorMessage: 'HTTP 500' } : { statusCode: 200 }),
    final: outcome === 'success',
    ...over,
  };
}

function deadLetter(endpointId: string): DeadLetterRecord {
  const last = attempt(endpointId, 'failure', { final: true });
  return {
    task: {
      deliveryId: last.deliveryId,
      eventId: last.eventId,
      endpointId,
      tenantId,
      attempt: 1,
      dueAt: 0,
      event: { id: last.eventId, type: 'order.created', tenantId, timestamp: '2026-01-01T00:00:00.000Z', data: {} },
    },
    reason: 'retries exhausted',
    kind: 'failed',
    lastAttempt: last,
    deadLetteredAt: '2026-01-01T00:00:01.000Z',
  };
}

let log: EventLog;
let writer: RecordPublisher;
let store: MemoryProjectionStore;
let metrics: Registry;
let out: TopicReader;
let projector: RunningConsumer;
let afterAttempts: AttemptRecord[][];

beforeEach(async () => {
  log = createMemoryEventLog();
  await log.ensureTopics(coreTopicSpecs(topics, 3));
  writer = await log.publisher();
  await writer.publish([
    {
      topic: topics.config,
      records: [endpoint('ep_fail'), endpoint('ep_flaky'), endpoint('ep_never', null)].map((e) => ({
        key: configKey('endpoint', e.id),
        value: JSON.stringify(e),
      })),
    },
  ]);
  store = new MemoryProjectionStore();
  metrics = new Registry();
  afterAttempts = [];
  out = await TopicReader.start(log, [topics.config, topics.rejected]);
  const config = new ConfigView(log, topics.config, logger);
  await config.start();
  const alerts = { afterAttempts: async (attempts: AttemptRecord[]) => void afterAttempts.push(attempts), forget: () => undefined };
  projector = await startProjector({
    log,
    topics,
    store,
    config,
    publisher: await log.publisher(),
    logger,
    metrics,
    groupId: 'projector',
    alerts,
    // A large batch's counters wait for the stop, however slow the machine: no timer writes them in between.
    foldFlush: { maxDelayMs: 600_000 },
  });
});

afterEach(async () => {
  await projector.stop();
  await out.stop();
  await log.close();
});

/** Attempts (or any values) on `attempts`, all under one key: one partition, in this order. */
async function publish(topic: string, values: (object | string)[]): Promise<void> {
  await writer.publish([{ topic, records: values.map((v) => ({ key: 'k', value: typeof v === 'string' ? v : JSON.stringify(v) })) }]);
}

/** Endpoints the projector wrote (disabled ones): the seeds are all active. */
const endpointWrites = () =>
  out
    .of(topics.config)
    .map((r) => recordJson<EndpointRecord>(r))
    .filter((e) => !e.isActive);

async function counter(result: string): Promise<number> {
  const metric = await metrics.getSingleMetric('hookline_projected_attempts_total')!.get();
  return metric.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe('projector', () => {
  it('records attempts once: a batch read again adds no count and tells the alerts nothing new', async () => {
    const batch = [attempt('ep_flaky', 'success'), attempt('ep_flaky', 'failure'), attempt('ep_never', 'success')];
    await publish(topics.attempts, batch);
    await publish(topics.attempts, [batch[1]!]);
    // Disabling the sentinel endpoint is written after everything before it was projected.
    await publish(
      topics.attempts,
      [1, 2, 3].map(() => attempt('ep_fail', 'failure')),
    );
    await out.until(() => endpointWrites().length === 1);
    expect([...store.attempts.keys()].filter((id) => store.attempts.get(id)!.endpointId !== 'ep_fail')).toEqual(
      batch.map((a) => a.attemptId),
    );
    expect(store.stats.get('ep_flaky')).toMatchObject({ attempts: 2, failed: 1, consecutiveFailures: 1 });
    expect(await counter('new')).toBe(6);
    expect(await counter('duplicate')).toBe(1);
    expect(
      afterAttempts
        .flat()
        .filter((a) => a.endpointId !== 'ep_fail')
        .map((a) => a.attemptId),
    ).toEqual(batch.map((a) => a.attemptId));
  });

  it('holds a large batch uncommitted while its counters wait to be written, and writes them before a stop commits', async () => {
    // As if every batch touched a thousand counter documents: the ones after the first wait for the next write.
    vi.spyOn(store, 'stagedFolds').mockReturnValue(1_000);
    const flushes = vi.spyOn(store, 'flushFolds');
    await publish(topics.attempts, [attempt('ep_flaky', 'success')]);
    await vi.waitFor(() => expect(flushes).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(projector.held).toBe(0), { timeout: 10_000 });

    await publish(topics.attempts, [attempt('ep_flaky', 'success'), attempt('ep_never', 'success')]);
    await vi.waitFor(() => expect(projector.held).toBe(2), { timeout: 10_000 });
    expect(store.attempts.size).toBe(3);
    expect(flushes).toHaveBeenCalledTimes(1);

    await projector.stop();
    expect(flushes).toHaveBeenCalledTimes(2);
    expect(projector.held).toBe(0);
  });

  it('disables an endpoint once its consecutive failures reach its threshold, through the config topic, with the reason', async () => {
    await publish(topics.attempts, [
      ...[1, 2].map(() => attempt('ep_flaky', 'failure')),
      attempt('ep_flaky', 'success'),
      ...[1, 2].map(() => attempt('ep_flaky', 'failure')),
      ...Array.from({ length: 5 }, () => attempt('ep_never', 'failure')),
      ...[1, 2, 3].map(() => attempt('ep_fail', 'failure', { errorMessage: 'connection refused' })),
    ]);
    await out.until(() => endpointWrites().length === 1);
    // ep_flaky (a success in between) and ep_never (no threshold) stay active: only ep_fail was written.
    const [disabled] = endpointWrites();
    expect(disabled).toMatchObject({
      id: 'ep_fail',
      isActive: false,
      disabledReason: '3 consecutive failed deliveries; last error: connection refused',
      disabledAt: expect.any(String),
    });
    expect(out.of(topics.config).at(-1)!.key).toBe(configKey('endpoint', 'ep_fail'));
  });

  it('sends unreadable attempts and dead letters to rejected with the reason, counts them, and projects the rest', async () => {
    const good = attempt('ep_flaky', 'success');
    await publish(topics.attempts, ['{nope', { attemptId: 'att_half' }, good]);
    await publish(topics.deadLetter, [deadLetter('ep_flaky'), '']);
    const rejected = (await out.read(topics.rejected, 3)).map((r) => recordJson<RejectedValue>(r));
    expect(rejected.map((r) => r.reason).sort()).toEqual(
      [
        'unreadable attempt: deliveryId Invalid input: expected string, received undefined',
        'unreadable attempt: not JSON',
        'unreadable dead letter: empty record',
      ].sort(),
    );
    expect(rejected.find((r) => r.reason.endsWith('not JSON'))).toMatchObject({
      topic: topics.attempts,
      offset: '0',
      value: Buffer.from('{nope').toString('base64'),
    });
    // The sentinel: once ep_fail is disabled, everything published before it was handled.
    await publish(
      topics.attempts,
      [1, 2, 3].map(() => attempt('ep_fail', 'failure')),
    );
    await out.until(() => endpointWrites().length === 1);
    expect(store.attempts.has(good.attemptId)).toBe(true);
    expect([...store.letters.keys()]).toHaveLength(1);
    expect(await counter('unreadable')).toBe(3);
    expect(await counter('dead-letter')).toBe(1);
  });

  it('sends records the store refuses (a key with a dot) to rejected, counted by topic and reason, and stores their neighbours', async () => {
    const before = attempt('ep_flaky', 'success');
    const dotted = attempt('ep_flaky', 'success', { responseHeaders: { 'x.odd': '1' } });
    const after = attempt('ep_flaky', 'success');
    await publish(topics.attempts, [before, dotted, after]);
    const letter = deadLetter('ep_flaky');
    letter.task.event.data = { 'customer.id': 7 };
    await publish(topics.deadLetter, [deadLetter('ep_flaky'), letter, deadLetter('ep_flaky')]);
    const rejected = (await out.read(topics.rejected, 2)).map((r) => recordJson<RejectedValue>(r));
    expect(rejected.map((r) => [r.topic, r.offset, r.reason]).sort()).toEqual([
      [topics.attempts, '1', 'unstorable attempt: key must not contain a dot'],
      [topics.deadLetter, '1', 'unstorable dead letter: key must not contain a dot'],
    ]);
    await vi.waitFor(() => expect(store.letters.size).toBe(2));
    expect([...store.attempts.keys()]).toEqual([before.attemptId, after.attemptId]);
    const metric = await metrics.getSingleMetric('hookline_projector_rejected_records_total')!.get();
    expect(metric.values.map((v) => [v.labels.topic, v.labels.reason, v.value]).sort()).toEqual([
      [topics.attempts, 'unstorable', 1],
      [topics.deadLetter, 'unstorable', 1],
    ]);
  });
  it('folds circuit and lane status records apart from attempts, still reads attempts of the previous shape, and rejects an unknown kind', async () => {
    const transition = {
      kind: 'circuit-transition',
      v: 1,
      endpointId: 'ep_flaky',
      from: 'closed',
      to: 'open',
      at: '2026-01-01T00:00:00.000Z',
      reason: '4 of the last 4 attempts failed',
      failed: 4,
      attempts: 4,
      until: '2026-01-01T00:00:05.000Z',
    };
    const blocked = { kind: 'lane-blocked', v: 1, endpointId: 'ep_flaky', key: null, since: '2026-01-01T00:00:01.000Z' };
    // Attempt records as they were written before status records existed (no `kind`, no `v`).
    const before = attempt('ep_flaky', 'failure');
    const after = attempt('ep_flaky', 'success');
    await publish(topics.attempts, [before, transition, blocked, { kind: 'lane-jammed', v: 9, endpointId: 'ep_flaky' }, after]);
    const [rejected] = (await out.read(topics.rejected, 1)).map((r) => recordJson<RejectedValue>(r));
    expect(rejected).toMatchObject({ topic: topics.attempts, offset: '3' });
    expect(rejected!.reason).toMatch(/^unreadable endpoint status: kind/);
    await vi.waitFor(() => expect(store.attempts.size).toBe(2));
    expect([...store.attempts.keys()]).toEqual([before.attemptId, after.attemptId]);
    expect(store.statusRecords.map((r) => [r.value.kind, r.offset])).toEqual([
      ['circuit-transition', 1],
      ['lane-blocked', 2],
    ]);
    expect(await counter('endpoint-status')).toBe(2);
    expect(await counter('new')).toBe(2);
  });
});
