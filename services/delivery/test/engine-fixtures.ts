import {
  attemptIdFor,
  ConfigState,
  type DeliveryTask,
  type EndpointRecord,
  type EndpointStatusRecord,
  isEndpointStatusValue,
  testEndpoint,
  topicNames,
} from '@hookline/core';
import { type DeliveryPolicy, planTask, taskRecord } from '@hookline/delivery-policy';
import { createMemoryEventLog, type MemoryEventLog } from '@hookline/kafka';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DeliveryEngine, type EngineOptions, type TaskSender } from '../src/engine.js';
import { createDeliveryMetrics } from '../src/metrics.js';
import type { AttemptResult } from '../src/sender.js';

export const topics = topicNames('t.');

export function endpoint(id: string, over: Partial<EndpointRecord> = {}): EndpointRecord {
  return testEndpoint(id, { tenantId: 'ten', url: `http://127.0.0.1/${id}`, ...over });
}

export function task(endpointId: string, eventId: string): DeliveryTask {
  const event = { id: eventId, type: 'thing.done', tenantId: 'ten', timestamp: '2026-01-01T00:00:00.000Z', data: { n: eventId } };
  return planTask({ kind: 'first', event, endpoint: { id: endpointId, tenantId: 'ten' }, now: 0 });
}

/** An answer of the fake receiver: an HTTP status, or a request error. */
export type Answer = number | Error;

/**
 * A sender that answers from a script per delivery (default 200) and can be made to wait: `gate(id)` makes
 * the delivery of event `id` wait until the returned release is called.
 */
export class FakeSender implements TaskSender {
  readonly sent: { task: DeliveryTask; policy: DeliveryPolicy }[] = [];
  readonly answers = new Map<string, Answer>();
  private readonly gates = new Map<string, Promise<void>>();

  gate(eventId: string): () => void {
    let open!: () => void;
    this.gates.set(eventId, new Promise<void>((resolve) => (open = resolve)));
    return open;
  }

  sentEvents(): string[] {
    return this.sent.map((s) => s.task.eventId);
  }

  async send(task: DeliveryTask, endpoint: EndpointRecord, policy: DeliveryPolicy): Promise<AttemptResult> {
    this.sent.push({ task, policy });
    await this.gates.get(task.eventId);
    const answer = this.answers.get(task.eventId) ?? 200;
    if (answer instanceof Error) throw answer;
    const ok = answer >= 200 && answer < 300;
    const base = {
      attemptId: attemptIdFor(task.deliveryId, task.attempt),
      deliveryId: task.deliveryId,
      eventId: task.eventId,
      eventType: task.event.type,
      endpointId: endpoint.id,
      tenantId: task.tenantId,
      attempt: task.attempt,
      url: endpoint.url,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 3,
      final: false,
    };
    return {
      retryAfter: undefined,
      failure: undefined,
      record: {
        ...base,
        outcome: ok ? 'success' : 'failure',
        statusCode: answer,
        ...(ok ? {} : { errorClass: `http_${answer}`, errorMessage: `receiver answered ${answer}` }),
      },
    };
  }
}

export interface Harness {
  log: MemoryEventLog;
  engine: DeliveryEngine;
  sender: FakeSender;
  state: ConfigState;
  publish(...tasks: (DeliveryTask | string)[]): Promise<void>;
  attempts(): { eventId: string; attempt: number; final: boolean; outcome: string }[];
  status(): EndpointStatusRecord[];
}

export async function startEngine(over: Partial<EngineOptions> = {}, endpoints: EndpointRecord[] = [endpoint('ep')]): Promise<Harness> {
  const log = createMemoryEventLog({ defaultPartitions: 1 });
  const state = new ConfigState();
  for (const e of endpoints) state.apply(`endpoint:${e.id}`, e);
  const sender = new FakeSender();
  const publisher = await log.publisher();
  const engine = new DeliveryEngine({
    log,
    publisher,
    topics,
    sender,
    config: { state, catchUp: async () => undefined },
    logger: pino({ level: 'silent' }),
    metrics: createDeliveryMetrics(new Registry(), () => 0),
    groupId: 'delivery',
    endpointConcurrency: 10,
    endpointBacklog: 100,
    maxInFlight: 100,
    delayedTiers: ['5s', '30s', '5m'],
    ...over,
  });
  await engine.start();
  return {
    log,
    engine,
    sender,
    state,
    async publish(...tasks) {
      await publisher.publish([
        { topic: topics.deliveries, records: tasks.map((t) => (typeof t === 'string' ? { key: 'ep', value: t } : taskRecord(t))) },
      ]);
    },
    attempts: () =>
      log
        .values<{ eventId: string; attempt: number; final: boolean; outcome: string }>(topics.attempts)
        .filter((v) => !isEndpointStatusValue(v))
        .map(({ eventId, attempt, final, outcome }) => ({ eventId, attempt, final, outcome })),
    /** Circuit transitions and lane changes the engine wrote to `attempts`. */
    status: () => log.values<EndpointStatusRecord>(topics.attempts).filter((v) => isEndpointStatusValue(v)),
  };
}
