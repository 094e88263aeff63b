import type { DeliveryTask } from '@hookline/core';
import type { OutgoingRecord } from '@hookline/kafka';

/**
 * A delivery task as a record of `deliveries`: keyed by endpoint, for per-endpoint order.
 * Stand-in until `taskRecord` of `@hookline/delivery-policy` (the one encoding of a task) is merged; then
 * this file goes and fanout imports that one.
 */
export function taskRecord(task: DeliveryTask): OutgoingRecord {
  return { key: task.endpointId, value: JSON.stringify(task) };
}
