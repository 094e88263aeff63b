import { type DeliveryTask, deliveryIdFor, type EventEnvelope } from '@hookline/core';
import type { OutgoingRecord } from './ports.js';

/*
 * Until `@hookline/delivery-policy` (branch wt-delivery) lands: the same `planTask` for the three plans the admin
 * API makes, with the same shapes, so switching is an import. Delete this file then.
 */
export interface TaskEndpoint {
  id: string;
  tenantId: string;
}

export type TaskPlan =
  | { kind: 'first'; event: EventEnvelope; endpoint: TaskEndpoint; now: number }
  | { kind: 'again'; task: DeliveryTask; now: number }
  | { kind: 'test'; event: EventEnvelope; endpoint: TaskEndpoint; now: number };

export function planTask(plan: TaskPlan): DeliveryTask {
  if (plan.kind === 'again') {
    // A replay is a real delivery again: never a test, whatever the letter was.
    const { test: _test, ...task } = plan.task;
    return { ...task, attempt: plan.task.attempt + 1, dueAt: plan.now };
  }
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

/** A task as a `deliveries` record: keyed by endpoint, so one endpoint's tasks keep their order. */
export function taskRecord(task: DeliveryTask): OutgoingRecord {
  return { key: task.endpointId, value: JSON.stringify(task) };
}
