import {
  type AlertSettingsRecord,
  type AttemptRecord,
  ConfigState,
  configKey,
  type EventEnvelope,
  testEndpoint,
  topicNames,
} from '@hookline/core';
import { coreTopicSpecs, createMemoryEventLog, type EventLog, recordJson, TopicReader } from '@hookline/kafka';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertNotifier, alertEventType } from '../src/alerts/notifier.js';
import { MemoryAlertStore } from './memory-stores.js';

const topics = topicNames('test.');
const tenantId = 'ten_1';

function settings(enabled: boolean): AlertSettingsRecord {
  return {
    kind: 'alertSettings',
    id: tenantId,
    tenantId,
    enabled,
    failedDeliveries24h: 2,
    responseTimeMs: 60_000,
    successRatePercent: 0,
    createdAt: '',
    updatedAt: '',
  };
}

let seq = 0;
function attempt(outcome: 'success' | 'failure', eventType = 'order.created'): AttemptRecord {
  const n = seq++;
  return {
    attemptId: `att_${n}`,
    deliveryId: `dlv_${n}`,
    eventId: `evt_${n}`,
    eventType,
    endpointId: 'ep_1',
    tenantId,
    attempt: 1,
    url: 'http://127.0.0.1:9/',
    startedAt: new Date().toISOString(),
    durationMs: 10,
    outcome,
    final: true,
  };
}

let log: EventLog;
let store: MemoryAlertStore;
let state: ConfigState;
let events: TopicReader;
let notifier: AlertNotifier;

beforeEach(async () => {
  log = createMemoryEventLog();
  await log.ensureTopics(coreTopicSpecs(topics, 3));
  store = new MemoryAlertStore();
  state = new ConfigState();
  state.apply(configKey('endpoint', 'ep_1'), testEndpoint('ep_1', { tenantId, name: 'Orders', url: 'http://127.0.0.1:9/' }));
  state.apply(configKey('alertSettings', tenantId), settings(true));
  events = await TopicReader.start(log, [topics.events]);
  notifier = new AlertNotifier({
    alerts: store,
    config: { state },
    publisher: await log.publisher(),
    topics,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    minAttempts: 10,
    recentSize: 100,
  });
});

afterEach(async () => {
  await events.stop();
  await log.close();
});

const announced = () => events.of(topics.events).map((r) => ({ key: r.key, event: recordJson<EventEnvelope>(r) }));

describe('AlertNotifier', () => {
  it('fires when failures pass the threshold, announces it as a hookline.alert event of the tenant, and resolves on success', async () => {
    await notifier.afterAttempts([attempt('failure'), attempt('failure')]);
    expect(store.alerts.size).toBe(0);
    await notifier.afterAttempts([attempt('failure')]);
    const [fired] = [...store.alerts.values()];
    expect(fired).toMatchObject({
      tenantId,
      endpointId: 'ep_1',
      endpointName: 'Orders',
      rule: 'failed_deliveries',
      state: 'firing',
      value: 3,
      threshold: 2,
    });
    expect(store.windows.get('ep_1')).toMatchObject({ windowFailed: 3, firing: { failed_deliveries: { alertId: fired!._id } } });

    await notifier.afterAttempts([attempt('success')]);
    expect(store.alerts.get(fired!._id)).toMatchObject({ state: 'resolved', message: 'deliveries succeed again' });

    await events.read(topics.events, 2);
    expect(announced()).toEqual([
      {
        key: tenantId,
        event: {
          id: `${fired!._id}.firing`,
          type: alertEventType,
          tenantId,
          timestamp: expect.any(String),
          data: expect.objectContaining({
            alertId: fired!._id,
            rule: 'failed_deliveries',
            state: 'firing',
            endpointId: 'ep_1',
            endpointName: 'Orders',
            value: 3,
            threshold: 2,
          }),
        },
      },
      {
        key: tenantId,
        event: {
          id: `${fired!._id}.resolved`,
          type: alertEventType,
          tenantId,
          timestamp: expect.any(String),
          data: expect.objectContaining({ state: 'resolved', message: 'Orders: deliveries succeed again' }),
        },
      },
    ]);
  });

  it('leaves attempts of hookline.* events out, and announces nothing while the tenant has alerts off', async () => {
    await notifier.afterAttempts([1, 2, 3, 4].map(() => attempt('failure', 'hookline.alert')));
    state.apply(configKey('alertSettings', tenantId), settings(false));
    await notifier.afterAttempts([1, 2, 3, 4].map(() => attempt('failure')));
    expect(store.alerts.size).toBe(0);
    // Switched on: the failures counted while off fire at the next evaluation (the sentinel of "nothing before").
    state.apply(configKey('alertSettings', tenantId), settings(true));
    await notifier.afterAttempts([attempt('failure')]);
    await events.read(topics.events, 1);
    expect(announced().map((a) => a.event.data)).toEqual([expect.objectContaining({ state: 'firing', value: 5 })]);
  });

  it('resolves a firing alert on re-evaluation when its threshold was raised', async () => {
    await notifier.afterAttempts([1, 2, 3].map(() => attempt('failure')));
    state.apply(configKey('alertSettings', tenantId), { ...settings(true), failedDeliveries24h: 10 });
    await notifier.reevaluateFiring();
    expect([...store.alerts.values()].map((a) => a.state)).toEqual(['resolved']);
    await events.read(topics.events, 2);
    expect(announced().map((a) => a.event.data)).toMatchObject([{ state: 'firing' }, { state: 'resolved', threshold: 10 }]);
  });
});
