import type { ConfigState, TopicNames } from '@hookline/core';
import { taskRecord } from '@hookline/delivery-policy';
import {
  type EventLog,
  type LogRecord,
  type OutgoingRecord,
  type PartitionBatch,
  type RecordPublisher,
  type RunningConsumer,
  rejectedRecord,
  type TopicRecords,
} from '@hookline/kafka';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { EventDecoder, type Parsed, SchemaRegistryUnavailable } from './decode.js';
import { planDeliveries } from './plan.js';
import type { TenantTopics } from './tenant-topics.js';

/** What fanout needs of the config view: the endpoints, and a way to be sure it has every change made so far. */
export interface FanoutConfig {
  readonly state: ConfigState;
  catchUp(): Promise<void>;
}

export interface FanoutDeps {
  log: EventLog;
  topics: TopicNames;
  config: FanoutConfig;
  /** Shared by every batch: it cuts produce requests at its byte cap and keeps each key's records in order. */
  publisher: RecordPublisher;
  logger: Logger;
  metrics: Registry;
  groupId: string;
  /** Decodes Confluent-framed (e.g. Avro) events; without it such records are rejected. */
  schemaRegistryUrl?: string | undefined;
  /** Tenant-bound input topics of Kafka-native producers, consumed beside `events`. */
  tenantTopics?: TenantTopics;
}

/** What one `events` record turns into: its delivery tasks, or why it goes to `rejected`. */
type FannedOut = { tasks: OutgoingRecord[] } | { rejected: string };

/**
 * Consumes `events` and emits delivery tasks. A batch's offsets are committed only after its tasks are on the
 * broker (the batch handler resolves once the publisher has them acknowledged), so a crash replays the batch;
 * delivery ids are deterministic, so the replay produces the same ids.
 */
export async function startFanout({
  log,
  topics,
  config,
  publisher,
  logger,
  metrics,
  groupId,
  schemaRegistryUrl,
  tenantTopics,
}: FanoutDeps): Promise<RunningConsumer> {
  const eventsSeen = new Counter({ name: 'hookline_fanout_events_total', help: 'Events fanned out', registers: [metrics] });
  const tasksOut = new Counter({ name: 'hookline_fanout_tasks_total', help: 'Delivery tasks emitted', registers: [metrics] });
  const rejectedOut = new Counter({
    name: 'hookline_fanout_rejected_total',
    help: 'Unreadable events sent to rejected',
    registers: [metrics],
  });
  const decoder = new EventDecoder({ schemaRegistryUrl, ...(tenantTopics ? { tenantOf: tenantTopics.tenantOf } : {}) });

  /** Never throws for the record's own faults; only a schema registry that does not answer is thrown. */
  async function fanOut(record: LogRecord, state: ConfigState): Promise<FannedOut> {
    let parsed: Parsed;
    try {
      parsed = await decoder.parse(record, state);
    } catch (error) {
      if (error instanceof SchemaRegistryUnavailable) throw error;
      return { rejected: `undecodable: ${(error as Error).message}` };
    }
    if (!parsed.ok) return { rejected: parsed.reason };
    try {
      // Encoding can fail for a record that decoded fine (data nested too deep for JSON.stringify): that record
      // is rejected so the ones behind it in the partition still go out.
      return { tasks: planDeliveries(parsed.value, state).map(taskRecord) };
    } catch (error) {
      return { rejected: `could not plan deliveries: ${(error as Error).message}` };
    }
  }

  async function onBatch(batch: PartitionBatch): Promise<void> {
    if (batch.records.length === 0) return;
    // Every endpoint created before these events were accepted must be in the index: catch up first.
    await config.catchUp();
    const tasks: OutgoingRecord[] = [];
    const rejected: OutgoingRecord[] = [];
    for (const record of batch.records) {
      const result = await fanOut(record, config.state);
      // A loop, not push(...): an event for a tenant with very many endpoints would exceed the argument limit.
      if ('tasks' in result) for (const task of result.tasks) tasks.push(task);
      else rejected.push(rejectedRecord(record, result.rejected));
    }
    // One call: the publisher bounds its requests (one event to 10,000 endpoints is ~13 MB of tasks) and keeps
    // each endpoint's tasks in order; it resolves once all of them are acknowledged.
    const out: TopicRecords[] = [];
    if (tasks.length) out.push({ topic: topics.deliveries, records: tasks });
    if (rejected.length) out.push({ topic: topics.rejected, records: rejected });
    if (out.length) await publisher.publish(out);
    eventsSeen.inc(batch.records.length - rejected.length);
    tasksOut.inc(tasks.length);
    rejectedOut.inc(rejected.length);
    if (rejected.length)
      logger.warn({ count: rejected.length, topic: batch.topic, partition: batch.partition }, 'rejected unreadable events');
  }

  return log.consume({ groupId, topics: [topics.events, ...(tenantTopics?.topics ?? [])], onBatch });
}
