import { type ConfigState, type DeliveryTask, type EndpointRecord, type EventEnvelope, endpointWants } from '@hookline/core';
import { planTask } from './plan.js';

/** A first-attempt task and the endpoint it is for (disabled endpoints' tasks are parked, not sent). */
export interface PlannedDelivery {
  task: DeliveryTask;
  endpoint: EndpointRecord;
}

/**
 * One first-attempt task per endpoint of the event's tenant that subscribes to it, active or not: a disabled
 * endpoint's task is parked by the caller (as delivery parks the tasks that reach one), so Re-enable then Replay
 * delivers what it missed. A generator, so a caller can write tasks out while planning and never hold a large
 * fan-out's tasks at once.
 */
export function* planDeliveries(event: EventEnvelope, state: ConfigState, now = Date.now()): Generator<PlannedDelivery> {
  // A snapshot of the references: the view may change while the caller waits on writes between yields.
  for (const endpoint of [...state.endpointsOf(event.tenantId)]) {
    // endpointWants skips inactive endpoints; whether it is active decides parking, not matching.
    if (endpointWants(endpoint.isActive ? endpoint : { ...endpoint, isActive: true }, event))
      yield { task: planTask({ kind: 'first', event, endpoint, now }), endpoint };
  }
}

/**
 * The first-attempt tasks of an event planned where it enters (ingest), or undefined when fanout must plan it:
 * - more than `maxTasks` endpoints: fanout writes a large fan-out in bounded chunks;
 * - a disabled endpoint: fanout parks its task;
 * - an endpoint with strict ordering: its tasks must follow the order of the `events` topic, which only fanout's
 *   one reading of it gives (ingest's concurrent requests could overtake a big fan-out still in fanout).
 */
export function planAtEntry(event: EventEnvelope, state: ConfigState, maxTasks: number, now = Date.now()): DeliveryTask[] | undefined {
  const tasks: DeliveryTask[] = [];
  for (const { task, endpoint } of planDeliveries(event, state, now)) {
    if (!endpoint.isActive || endpoint.ordering === 'strict' || tasks.length >= maxTasks) return undefined;
    tasks.push(task);
  }
  return tasks;
}
