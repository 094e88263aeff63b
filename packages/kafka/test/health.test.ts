import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsumerLagMonitor, createMemoryEventLog, type GroupTopicProgress, kafkaHealthChecks } from '../src/index.js';

const logger = pino({ level: 'silent' });

describe('ConsumerLagMonitor on the port', () => {
  it('exposes hookline_consumer_lag_messages{group,topic} and degrades above the limit', async () => {
    const log = createMemoryEventLog();
    await log.ensureTopics([{ topic: 'events', numPartitions: 2 }]);
    const publisher = await log.publisher();
    await publisher.publish([{ topic: 'events', records: Array.from({ length: 3 }, (_, i) => ({ key: `k${i}`, value: '{}' })) }]);
    const registry = new Registry();
    const monitor = new ConsumerLagMonitor({ log, groupId: 'fanout', topics: ['events'], registry, logger, intervalMs: 60_000, maxLag: 2 });
    await monitor.start();
    expect(monitor.health()).toEqual({ status: 'degraded', reason: 'fanout is 3 records behind on events (limit 2)' });
    expect(await registry.getSingleMetricAsString('hookline_consumer_lag_messages')).toContain(
      'hookline_consumer_lag_messages{group="fanout",topic="events"} 3',
    );
    await monitor.stop();
  });

  it('says the lag is unknown when it cannot be measured', async () => {
    const failing = { groupProgress: () => Promise.reject(new Error('coordinator not available')) };
    const monitor = new ConsumerLagMonitor({
      log: failing,
      groupId: 'g',
      topics: ['t'],
      registry: new Registry(),
      logger,
      intervalMs: 60_000,
    });
    await monitor.measure();
    expect(monitor.health()).toEqual({ status: 'degraded', reason: 'consumer lag of g unknown: coordinator not available' });
  });
});

describe('ConsumerLagMonitor, a group that stops committing', () => {
  afterEach(() => vi.useRealTimers());

  /** A monitor over a log whose group stands where `progress` says, measured by hand at fake times. */
  function scripted(stalledAfterMs?: number) {
    let progress: GroupTopicProgress = { lag: 0, committed: 0 };
    const errors: unknown[] = [];
    const monitor = new ConsumerLagMonitor({
      log: { groupProgress: async () => new Map([['attempts', progress]]) },
      groupId: 'projector',
      topics: ['attempts'],
      registry: new Registry(),
      logger: { ...logger, error: (...args: unknown[]) => errors.push(args) } as unknown as typeof logger,
      intervalMs: 60_000,
      maxLag: 10_000,
      ...(stalledAfterMs === undefined ? {} : { stalledAfterMs }),
    });
    const at = async (seconds: number, next: GroupTopicProgress) => {
      vi.setSystemTime(seconds * 1000);
      progress = next;
      await monitor.measure();
      return monitor.health();
    };
    return { at, errors };
  }

  it('is down once records have waited that long with nothing committed, and logs it once', async () => {
    vi.useFakeTimers();
    const { at, errors } = scripted(120_000);
    expect(await at(0, { lag: 5, committed: 100 })).toEqual({ status: 'ok' });
    expect(await at(119, { lag: 40, committed: 100 })).toEqual({ status: 'ok' });
    expect(await at(120, { lag: 41, committed: 100 })).toEqual({
      status: 'down',
      reason: 'projector has committed nothing on attempts for 120 s while 41 records wait',
    });
    await at(130, { lag: 42, committed: 100 });
    expect(errors).toHaveLength(1);
    // It commits again: the check is well at once.
    expect(await at(140, { lag: 30, committed: 112 })).toEqual({ status: 'ok' });
  });

  it('counts from the first measurement that saw records waiting, not from an idle stretch before', async () => {
    vi.useFakeTimers();
    const { at } = scripted(120_000);
    expect(await at(0, { lag: 0, committed: 100 })).toEqual({ status: 'ok' });
    expect(await at(600, { lag: 0, committed: 100 })).toEqual({ status: 'ok' });
    expect(await at(610, { lag: 3, committed: 100 })).toEqual({ status: 'ok' });
    expect(await at(729, { lag: 3, committed: 100 })).toEqual({ status: 'ok' });
    expect((await at(730, { lag: 3, committed: 100 })).status).toBe('down');
  });

  it('keeps a group that commits, however far behind, out of it', async () => {
    vi.useFakeTimers();
    const { at, errors } = scripted(120_000);
    for (let s = 0; s <= 600; s += 10) {
      expect((await at(s, { lag: 50_000 + s * 10, committed: s })).status).toBe('degraded');
    }
    expect(errors).toHaveLength(0);
  });

  it('never judges a group without the option (retry tiers hold records on purpose)', async () => {
    vi.useFakeTimers();
    const { at } = scripted();
    await at(0, { lag: 5, committed: 0 });
    expect(await at(3_600, { lag: 5, committed: 0 })).toEqual({ status: 'ok' });
  });
});

describe('kafkaHealthChecks', () => {
  it('asks the config view, the publisher, each consumer and the lag monitors', async () => {
    const log = createMemoryEventLog();
    const publisher = await log.publisher();
    const consumer = await log.consume({ groupId: 'g', topics: ['t'], onBatch: async () => undefined });
    const checks = kafkaHealthChecks({ config: { health: async () => ({ status: 'ok' }) }, publisher, consumers: { events: consumer } });
    expect(Object.keys(checks)).toEqual(['config', 'producer', 'events']);
    expect(checks.events!()).toEqual({ status: 'ok' });
    await consumer.stop();
    expect(checks.events!()).toEqual({ status: 'down', reason: 'g: stopped' });
    await publisher.close();
    expect(checks.producer!()).toEqual({ status: 'down', reason: 'producer closed' });
  });
});
