import { type DeliveryTask, deliveryIdFor, type EventEnvelope } from '@hookline/core';

/** The endpoint a task is for: only what a task records of it. */
export interface TaskEndpoint {
  id: string;
  tenantId: string;
}

/** What to plan: every way a delivery task comes into being. */
export type TaskPlan =
  /** The first attempt of `event` for `endpoint` (fanout, recover). */
  | { kind: 'first'; event: EventEnvelope; endpoint: TaskEndpoint; now: number }
  /** The next attempt of a dead-lettered task, due now (retry one, replay). */
  | { kind: 'again'; task: DeliveryTask; now: number }
  /** A send-test: one attempt, even to a disabled endpoint, never retried or dead-lettered. */
  | { kind: 'test'; event: EventEnvelope; endpoint: TaskEndpoint; now: number }
  /** The next attempt after a failed one, due after the tier's delay (outcome routing). */
  | { kind: 'retry'; task: DeliveryTask; attempt: number; dueAt: number }
  /** The same attempt handed to a retry tier because the endpoint's backlog is full (no attempt counted). */
  | { kind: 'defer'; task: DeliveryTask; dueAt: number };

/**
 * The only place a `DeliveryTask` is built. The delivery id is derived from the event and the endpoint, so a
 * task planned twice (a redelivered event, a recover over events already delivered) keeps its `webhook-id`.
 */
export function planTask(plan: TaskPlan): DeliveryTask {
  switch (plan.kind) {
    case 'first':
    case 'test': {
      const { event, endpoint, now } = plan;
      return {
        deliveryId: deliveryIdFor(event.id, endpoint.id),
        eventId: event.id,
        endpointId: endpoint.id,
        tenantId: endpoint.tenantId,
        attempt: 1,
        dueAt: now,
        event,
        ...(plan.kind === 'test' ? { test: true } : {}),
      };
    }
    case 'again': {
      // A replay is a real delivery again: never a test, whatever the letter was.
      const { test: _test, deferrals: _deferrals, ...task } = plan.task;
      return { ...task, attempt: plan.task.attempt + 1, dueAt: plan.now };
    }
    case 'retry': {
      // A new attempt starts with no deferrals: they count how long one attempt has been held back.
      const { deferrals: _deferrals, ...task } = plan.task;
      return { ...task, attempt: plan.attempt, dueAt: plan.dueAt };
    }
    case 'defer':
      return { ...plan.task, dueAt: plan.dueAt, deferrals: (plan.task.deferrals ?? 0) + 1 };
  }
}

/** The sample event of a send-test; `id` comes from the caller (ids are random, this module is pure). */
export function testEvent(input: {
  id: string;
  tenantId: string;
  subscribedPatterns: string[];
  eventType?: string;
  data?: unknown;
  now: number;
}): EventEnvelope {
  const exactType = input.subscribedPatterns.find((pattern) => !pattern.includes('*'));
  return {
    id: input.id,
    type: input.eventType ?? exactType ?? 'webhook.test',
    tenantId: input.tenantId,
    timestamp: new Date(input.now).toISOString(),
    data: input.data ?? { test: true, message: 'Test delivery from Hookline' },
  };
}
