import { baseEnvSchema, type EventEnvelope, type ScheduleRecord, type TopicNames } from '@hookline/core';
import { connectEventLog, type EventLog, type RecordPublisher, type RunningConsumer } from '@hookline/kafka';
import { ScheduleFires, Store } from '@hookline/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../src/schedules/index.js';

/**
 * Two schedulers against the real broker and the real MongoDB-wire server: each due time is published once,
 * a claim left by a crash is published by the other after its lease, and missed due times are fired late.
 * The clock is the schedulers' `now` option, moved by hand; nothing sleeps.
 */
const run = `sched${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const logger = pino({ level: 'warn' });
let log: EventLog;
let topics: TopicNames;
let publisher: RecordPublisher;
let store: Store;
let consumer: RunningConsumer;
const seen: EventEnvelope[] = [];

beforeAll(async () => {
  const env = baseEnvSchema.parse({
    KAFKA_BROKERS: inject('infra').kafkaBrokers,
    HOOKLINE_TOPIC_PREFIX: `${run}.`,
    HOOKLINE_TOPIC_PARTITIONS: '1',
  });
  ({ log, topics } = await connectEventLog(env, run, logger));
  publisher = await log.publisher();
  store = await Store.connect(inject('infra').mongoUrl, run);
  await new ScheduleFires(store.db).ensureIndexes();
  consumer = await log.consume({
    groupId: `${run}-reader`,
    topics: [topics.events],
    async onBatch(batch) {
      for (const record of batch.records) seen.push(JSON.parse(record.value!.toString('utf8')) as EventEnvelope);
    },
  });
});

afterAll(async () => {
  await consumer?.stop();
  await publisher?.close();
  await log?.close();
  await store?.db.dropDatabase();
  await store?.close();
});

function schedule(id: string, fields: Partial<ScheduleRecord>, createdAt: string): ScheduleRecord {
  return {
    kind: 'schedule',
    id,
    tenantId: `ten_${id}`,
    scheduleType: 'custom_cron',
    timezone: 'Europe/Berlin',
    format: 'pdf',
    deliveryMethod: 'webhook',
    createdAt,
    updatedAt: createdAt,
    ...fields,
  };
}

function scheduler(records: ScheduleRecord[], clock: { now: number }, extra: Partial<SchedulerOptions> = {}): Scheduler {
  return new Scheduler({
    config: { state: { schedules: new Map(records.map((r) => [r.id, r])) } },
    store: new ScheduleFires(store.db),
    publisher,
    eventsTopic: topics.events,
    logger,
    instanceId: Math.random().toString(36),
    now: () => clock.now,
    ...extra,
  });
}

/** Waits until a sentinel published after everything else is read: nothing before it is still on its way. */
async function settled(tenantId: string): Promise<EventEnvelope[]> {
  const id = `sentinel_${Math.random().toString(36).slice(2)}`;
  const sentinel = { id, type: 'test.sentinel', tenantId, timestamp: new Date().toISOString(), data: {} };
  await publisher.publish([{ topic: topics.events, records: [{ key: tenantId, value: JSON.stringify(sentinel) }] }]);
  await vi.waitFor(() => expect(seen.some((e) => e.id === id)).toBe(true), { timeout: 60_000, interval: 50 });
  return seen.filter((e) => e.tenantId === tenantId && e.type === 'export.scheduled');
}

describe('Scheduler (real broker and MongoDB-wire server)', () => {
  it('two schedulers ticking at the same moments publish each due time once, under the same deterministic id', async () => {
    const start = Date.parse('2026-06-01T10:00:00.000Z');
    const record = schedule('every_second', { cronExpression: '* * * * * *' }, new Date(start).toISOString());
    const clock = { now: start };
    const a = scheduler([record], clock);
    const b = scheduler([record], clock);
    for (let i = 1; i <= 5; i++) {
      clock.now = start + i * 1000 + 100;
      await Promise.all([a.tick(), b.tick(), a.tick()]);
    }
    const events = await settled(record.tenantId);
    expect(events).toHaveLength(5);
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    expect(events.map((e) => (e.data as { dueAt: string }).dueAt)).toEqual(
      [1, 2, 3, 4, 5].map((s) => new Date(start + s * 1000).toISOString()),
    );
    expect(events[0]!.data).toMatchObject({
      scheduleId: record.id,
      scheduleType: 'custom_cron',
      format: 'pdf',
      late: false,
      manual: false,
    });
  });

  it('publishes a claim whose scheduler crashed before publishing, once, after the lease, with its event id', async () => {
    const start = Date.parse('2026-06-01T11:00:00.000Z');
    const record = schedule(
      'crash',
      { scheduleType: 'one_time', scheduledAt: new Date(start + 2000).toISOString() },
      new Date(start).toISOString(),
    );
    const clock = { now: start + 2500 };
    const broken: Pick<RecordPublisher, 'publish'> = { publish: () => Promise.reject(new Error('crashed at the due moment')) };
    const crashed = scheduler([record], clock, { publisher: broken as RecordPublisher, leaseMs: 10_000 });
    await crashed.tick(); // claims, then fails to publish (logged): the claim stays unpublished
    const survivor = scheduler([record], clock, { leaseMs: 10_000 });
    await survivor.tick(); // the claim is the crashed one's until its lease ends
    clock.now += 10_001;
    await survivor.tick();
    await survivor.tick();
    const events = await settled(record.tenantId);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ scheduleId: record.id, dueAt: new Date(start + 2000).toISOString(), late: false });
  });

  it('an idle pass asks MongoDB nothing: abandoned claims are looked for three times a lease, not every second', async () => {
    const start = Date.parse('2026-06-01T11:30:00.000Z');
    const record = schedule('idle', { cronExpression: '0 0 * * *' }, new Date(start).toISOString());
    const clock = { now: start };
    const fires = new ScheduleFires(store.db);
    const asked: string[] = [];
    const counted = new Proxy(fires, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          asked.push(String(name));
          return value.apply(target, args);
        };
      },
    });
    const idle = scheduler([record], clock, { store: counted, leaseMs: 30_000 });
    for (let pass = 0; pass < 9; pass++) {
      await idle.tick();
      clock.now += 1_000;
    }
    // The first pass reads the schedule's mark and looks for abandoned claims; the next eight (8 s) ask nothing.
    expect(asked).toEqual(['abandoned', 'lastDue']);
    clock.now += 1_000;
    await idle.tick();
    expect(asked).toEqual(['abandoned', 'lastDue', 'abandoned']);
  });

  it('fires the due times missed while down late, marked, up to the catch-up cap', async () => {
    const created = Date.parse('2026-06-01T12:00:00.000Z');
    const record = schedule('catch_up', { cronExpression: '*/10 * * * *', timezone: 'America/New_York' }, new Date(created).toISOString());
    const clock = { now: created + 60 * 60_000 + 30_000 }; // back after an hour: six due times were missed
    await scheduler([record], clock, { catchUpMax: 4, lateAfterMs: 5_000 }).tick();
    const events = await settled(record.tenantId);
    expect(events.map((e) => (e.data as { dueAt: string }).dueAt)).toEqual(
      [30, 40, 50, 60].map((m) => new Date(created + m * 60_000).toISOString()),
    );
    expect(events.every((e) => (e.data as { late: boolean }).late)).toBe(true);
  });
});
