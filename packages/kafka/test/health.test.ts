import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConsumerLagMonitor, createMemoryEventLog, kafkaHealthChecks } from '../src/index.js';

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
    const failing = { groupLag: () => Promise.reject(new Error('coordinator not available')) };
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
