import {
  type ConfigState,
  type EventEnvelope,
  eventOriginHeader,
  eventPlannedHeader,
  plannedEndpointIds,
  type TopicNames,
} from '@hookline/core';
import { type PlannedDelivery, parkTask, planDeliveries, taskRecord } from '@hookline/delivery-policy';
import {
  type BatchControl,
  type EventLog,
  type LogRecord,
  type PartitionBatch,
  type RecordPublisher,
  type RunningConsumer,
  rejectedRecord,
  type TopicRecords,
} from '@hookline/kafka';
import { UnknownSchemaId } from '@hookline/schema-registry';
import type { Tracing } from '@hookline/tracing';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { ChunkedWriter } from './chunks.js';
import { EventDecoder, type Parsed, SchemaRegistryUnavailable } from './decode.js';

import type { TenantTopics } from './tenant-topics.js';
import { type FanoutTrace, traceFanout, traceLatePlanned } from './tracing.js';

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
  /** Records are written in chunks of about this many bytes while they are planned (default 8 MiB). */
  chunkBytes?: number;
  /** How long a record whose schema id the registry does not know is retried before it goes to `rejected` (default 15 min). */
  unknownSchemaGiveUpMs?: number;
  /** Each event's `fanout` span; its trace context goes on the event's tasks (`traceparent` header). */
  tracing?: Tracing | undefined;
}

/** A partition waiting for the schema registry: the record it stopped at, since when, and how often it was tried. */
interface RegistryWait {
  offset: bigint;
  since: number;
  tries: number;
}

/** Back-off between reads of a record the registry cannot decode yet: 1 s, doubling, at most a minute. */
const registryBackoffMs = (tries: number) => Math.min(1_000 * 2 ** (tries - 1), 60_000);

/** How one `events` record ended (`atIngest`: ingest planned it, and fanout wrote what it missed). */
type FannedOut = { tasks: number; parked: number; atIngest: boolean } | { rejected: string } | { wait: number };

/**
 * Consumes `events` and emits delivery tasks (parked dead letters for disabled endpoints). Tasks are written
 * while they are planned, in bounded chunks, so one event to many endpoints never holds all its tasks in
 * memory. A batch's offsets are committed only after every one of its records is on the broker (the batch
 * handler resolves once the last chunk is acknowledged), so a crash replays the batch; delivery ids are
 * deterministic, so the replay produces the same ids.
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
  chunkBytes = 8 * 1024 * 1024,
  unknownSchemaGiveUpMs = 15 * 60_000,
  tracing,
}: FanoutDeps): Promise<RunningConsumer> {
  const eventsSeen = new Counter({ name: 'hookline_fanout_events_total', help: 'Events fanned out', registers: [metrics] });
  const tasksOut = new Counter({ name: 'hookline_fanout_tasks_total', help: 'Delivery tasks emitted', registers: [metrics] });
  const parkedOut = new Counter({
    name: 'hookline_fanout_parked_total',
    help: 'Tasks for disabled endpoints parked in the dead-letter topic (replayable)',
    registers: [metrics],
  });
  const eventsPlannedAtIngest = new Counter({
    name: 'hookline_fanout_planned_at_ingest_total',
    help: 'Events ingest planned (counted in hookline_fanout_events_total): fanout writes only the tasks of endpoints ingest did not know yet',
    registers: [metrics],
  });
  const rejectedOut = new Counter({
    name: 'hookline_fanout_rejected_total',
    help: 'Unreadable events sent to rejected',
    registers: [metrics],
  });
  const registryRetries = new Counter({
    name: 'hookline_fanout_schema_registry_retries_total',
    help: 'Batches read again because the schema registry did not answer or did not know a schema id (alert on any increase)',
    labelNames: ['reason'],
    registers: [metrics],
  });
  const decoder = new EventDecoder({ schemaRegistryUrl, ...(tenantTopics ? { tenantOf: tenantTopics.tenantOf } : {}) });

  /** Per partition (`topic:partition`): the record fanout waits on the schema registry for. */
  const registryWaits = new Map<string, RegistryWait>();

  /**
   * Never throws for the record's own faults. A registry that does not answer, or does not know the record's
   * schema id (it lost its data, or has not caught up), is not the record's fault: the partition pauses at the
   * record with a growing back-off and the metric and log say so. Only an id still unknown after
   * `unknownSchemaGiveUpMs` is given up on (`rejected`), so one bad producer cannot stall a partition for ever.
   */
  async function decode(record: LogRecord, state: ConfigState): Promise<Parsed | { wait: number }> {
    const where = `${record.topic}:${record.partition}`;
    try {
      const parsed = await decoder.parse(record, state);
      registryWaits.delete(where);
      return parsed;
    } catch (error) {
      if (!(error instanceof SchemaRegistryUnavailable)) return { ok: false, reason: `undecodable: ${(error as Error).message}` };
      const previous = registryWaits.get(where);
      const wait = previous?.offset === record.offset ? previous : { offset: record.offset, since: Date.now(), tries: 0 };
      wait.tries++;
      registryWaits.set(where, wait);
      const unknownId = error instanceof UnknownSchemaId ? error.schemaId : undefined;
      const waitedMs = Date.now() - wait.since;
      if (unknownId !== undefined && waitedMs >= unknownSchemaGiveUpMs) {
        registryWaits.delete(where);
        return {
          ok: false,
          reason: `undecodable (schema id ${unknownId}): the registry did not know it after ${Math.round(waitedMs / 1000)} s of retries`,
        };
      }
      const reason = unknownId === undefined ? 'unavailable' : 'unknown_schema_id';
      registryRetries.inc({ reason });
      const backoffMs = registryBackoffMs(wait.tries);
      logger.warn(
        {
          err: error,
          reason,
          schemaId: unknownId,
          partition: record.partition,
          offset: record.offset.toString(),
          tries: wait.tries,
          backoffMs,
        },
        'the schema registry cannot decode this record yet; its partition waits and tries again',
      );
      return { wait: backoffMs };
    }
  }

  /** The records that say what happens to one planned delivery: a task, or a parked dead letter. */
  function recordsOf({ task, endpoint }: PlannedDelivery): TopicRecords[] {
    if (endpoint.isActive) return [{ topic: topics.deliveries, records: [taskRecord(task)] }];
    return parkTask(task, endpoint, topics, Date.now()).records;
  }

  async function fanOut(record: LogRecord, state: ConfigState, writer: ChunkedWriter): Promise<FannedOut> {
    const parsed = await decode(record, state);
    if ('wait' in parsed) return parsed;
    if (!parsed.ok) return { rejected: parsed.reason };
    const event: EventEnvelope = parsed.value;
    const plannedFor = plannedAtIngest(record);
    // Tasks for endpoints ingest's view did not have yet continue ingest's span; fanout's own only for what it plans.
    const trace = plannedFor ? traceLatePlanned(record) : traceFanout(tracing, record, event);
    try {
      const result = await planAndWrite(event, state, writer, trace, plannedFor);
      trace.end(result);
      return 'rejected' in result ? result : { ...result, atIngest: plannedFor !== undefined };
    } catch (error) {
      trace.end({ error });
      throw error;
    }
  }

  async function planAndWrite(
    event: EventEnvelope,
    state: ConfigState,
    writer: ChunkedWriter,
    trace: FanoutTrace,
    plannedFor: ReadonlySet<string> | undefined,
  ): Promise<{ tasks: number; parked: number } | { rejected: string }> {
    let tasks = 0;
    let parked = 0;
    try {
      // Encoding can fail for a record that decoded fine (data nested too deep for JSON.stringify): found here,
      // before any of its tasks is written, the record is rejected and the ones behind it still go out. Ingest
      // encoded the events it planned already.
      if (!plannedFor) JSON.stringify(event);
    } catch (error) {
      return { rejected: `could not plan deliveries: ${(error as Error).message}` };
    }
    const planned = planDeliveries(event, state);
    for (;;) {
      let next: TopicRecords[] | undefined;
      try {
        let step = planned.next();
        while (!step.done && plannedFor?.has(step.value.endpoint.id)) step = planned.next();
        next = step.done ? undefined : trace.carry(recordsOf(step.value));
      } catch (error) {
        return { rejected: `could not plan deliveries: ${(error as Error).message}` };
      }
      if (!next) break;
      // A failed write is not the record's fault: it propagates and the batch is read again.
      for (const { topic, records } of next) for (const out of records) await writer.add(topic, out);
      if (next[0]?.topic === topics.deliveries) tasks++;
      else parked++;
    }
    return { tasks, parked };
  }

  /** The endpoints ingest planned the event for (their tasks went out with it); only believed of Hookline's own records on `events`. */
  const plannedAtIngest = (record: LogRecord) =>
    record.topic === topics.events && record.headers[eventOriginHeader] === 'hookline'
      ? plannedEndpointIds(record.headers[eventPlannedHeader])
      : undefined;

  async function onBatch(batch: PartitionBatch, control: BatchControl): Promise<void> {
    if (batch.records.length === 0) return;
    // Every endpoint created before these events were accepted must be in the index: catch up first.
    await config.catchUp();
    const writer = new ChunkedWriter(publisher, chunkBytes);
    let tasks = 0;
    let parked = 0;
    let rejected = 0;
    let handled = 0;
    let planned = 0;
    try {
      for (const record of batch.records) {
        const result = await fanOut(record, config.state, writer);
        if ('wait' in result) {
          // This record and the rest of the partition are read again later; the ones before it are done once written.
          control.pauseFrom(record, Date.now() + result.wait);
          break;
        }
        handled++;
        if ('rejected' in result) {
          rejected++;
          await writer.add(topics.rejected, rejectedRecord(record, result.rejected));
        } else {
          tasks += result.tasks;
          parked += result.parked;
          if (result.atIngest) planned++;
        }
      }
      await writer.finish();
    } finally {
      // A batch that failed is read again: its writes still in flight settle first, so none overtakes them.
      await writer.settle();
    }
    eventsSeen.inc(handled - rejected);
    eventsPlannedAtIngest.inc(planned);
    tasksOut.inc(tasks);
    parkedOut.inc(parked);
    rejectedOut.inc(rejected);
    if (rejected) logger.warn({ count: rejected, topic: batch.topic, partition: batch.partition }, 'rejected unreadable events');
  }

  return log.consume({ groupId, topics: [topics.events, ...(tenantTopics?.topics ?? [])], onBatch });
}
