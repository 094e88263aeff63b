import { type AttemptRecord, attemptRecord, type ConfigRecord, type ConfigState, deadLetterRecord, type TopicNames } from '@hookline/core';
import {
  type EventLog,
  type LogRecord,
  type OutgoingRecord,
  type PartitionBatch,
  type RecordPublisher,
  type RunningConsumer,
  rejectedRecord,
} from '@hookline/kafka';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { z } from 'zod';
import type { AlertNotifier } from './alerts/notifier.js';
import { type ConfigUpdater, disableEndpoint } from './auto-disable.js';
import type { ProjectionStore } from './projection-store.js';

/** What the projector needs of the config view: the endpoints, and a compare-and-set update (`ConfigView.update`). */
export interface ProjectorConfig extends ConfigUpdater {
  readonly state: ConfigState;
}

export interface ProjectorDeps {
  log: EventLog;
  topics: TopicNames;
  store: ProjectionStore;
  config: ProjectorConfig;
  /** Writes endpoint changes (auto-disable) and unreadable records to `rejected`. */
  publisher: RecordPublisher;
  logger: Logger;
  metrics: Registry;
  groupId: string;
  alerts: Pick<AlertNotifier, 'afterAttempts' | 'forget'>;
}

/** A batch's records split into the readable ones (with their offsets) and `rejected` records for the rest. */
interface Parsed<T> {
  values: T[];
  offsets: string[];
  rejected: OutgoingRecord[];
}

function parseAll<T>(records: LogRecord[], schema: z.ZodType<T>, what: string): Parsed<T> {
  const parsed: Parsed<T> = { values: [], offsets: [], rejected: [] };
  for (const record of records) {
    const reason = readValue(record, schema, what);
    if (typeof reason === 'string') parsed.rejected.push(rejectedRecord(record, reason));
    else {
      parsed.values.push(reason.value);
      parsed.offsets.push(record.offset.toString());
    }
  }
  return parsed;
}

/** The record's value checked against `schema`, or why it cannot be read. */
function readValue<T>(record: LogRecord, schema: z.ZodType<T>, what: string): { value: T } | string {
  if (!record.value || record.value.length === 0) return `unreadable ${what}: empty record`;
  let json: unknown;
  try {
    json = JSON.parse(record.value.toString('utf8'));
  } catch {
    return `unreadable ${what}: not JSON`;
  }
  const result = schema.safeParse(json);
  if (result.success) return { value: result.data };
  const issue = result.error.issues[0];
  return `unreadable ${what}: ${issue?.path.join('.')} ${issue?.message}`;
}

/**
 * Folds `attempts` (and `dead-letter`, kept for replays) into the read models and disables endpoints that
 * fail too often (a config change with the reason). Offsets are committed once the batch handler returns,
 * after the writes; an attempt seen twice is counted once. Records it cannot read go to `rejected`.
 */
export async function startProjector({
  log,
  topics,
  store,
  config,
  publisher,
  logger,
  metrics,
  groupId,
  alerts,
}: ProjectorDeps): Promise<RunningConsumer> {
  const projected = new Counter({
    name: 'hookline_projected_attempts_total',
    help: 'Attempts written to the read models',
    labelNames: ['result'],
    registers: [metrics],
  });
  const disabled = new Counter({
    name: 'hookline_endpoints_auto_disabled_total',
    help: 'Endpoints disabled after consecutive failures',
    registers: [metrics],
  });

  async function reject(batch: PartitionBatch, rejected: OutgoingRecord[]): Promise<void> {
    if (rejected.length === 0) return;
    await publisher.publish([{ topic: topics.rejected, records: rejected }]);
    projected.inc({ result: 'unreadable' }, rejected.length);
    logger.error(
      { count: rejected.length, topic: batch.topic, partition: batch.partition },
      'unreadable records sent to the rejected topic',
    );
  }

  async function projectDeadLetters(batch: PartitionBatch): Promise<void> {
    const letters = parseAll(batch.records, deadLetterRecord, 'dead letter');
    await store.deadLetters.record(letters.values);
    projected.inc({ result: 'dead-letter' }, letters.values.length);
    await reject(batch, letters.rejected);
  }

  async function projectAttempts(batch: PartitionBatch): Promise<void> {
    const { values: attempts, offsets, rejected } = parseAll(batch.records, attemptRecord, 'attempt');
    // With their offsets, a batch replayed after a crash mid-write is folded into the stats exactly once.
    const { recorded, stats: updated } = await store.recordAttempts(attempts, { partition: batch.partition, offsets });
    projected.inc({ result: 'new' }, recorded);
    projected.inc({ result: 'duplicate' }, attempts.length - recorded);
    await reject(batch, rejected);
    for (const [endpointId, stats] of updated) {
      const last = lastAttemptOf(attempts, endpointId);
      if (!last) continue;
      const endpoint = await disableEndpoint(config, publisher, endpointId, stats, last);
      if (!endpoint) continue;
      disabled.inc();
      logger.warn({ endpointId: endpoint.id, reason: endpoint.disabledReason }, 'endpoint disabled');
    }
    // Endpoints whose stats moved had new attempts (a replayed batch after a crash updates none).
    await alerts.afterAttempts(attempts.filter((a) => updated.has(a.endpointId)));
  }

  return log.consume({
    groupId,
    topics: [topics.attempts, topics.deadLetter],
    // Partitions moved: another projector may have changed what the notifier cached.
    onAssignment: () => alerts.forget(),
    onBatch: (batch) => (batch.topic === topics.deadLetter ? projectDeadLetters(batch) : projectAttempts(batch)),
  });
}

function lastAttemptOf(attempts: AttemptRecord[], endpointId: string): AttemptRecord | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i]!.endpointId === endpointId) return attempts[i];
  return undefined;
}
