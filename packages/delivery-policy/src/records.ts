import type { DeliveryTask } from '@hookline/core';
// The port's type, by path until `@hookline/kafka` exports the port (branch wt-kafka); type only, erased.
import type { OutgoingRecord } from '../../kafka/src/port.js';

/** A delivery task as a record of `deliveries` or a retry tier: keyed by endpoint, for per-endpoint order. */
export function taskRecord(task: DeliveryTask): OutgoingRecord {
  return { key: task.endpointId, value: JSON.stringify(task) };
}
