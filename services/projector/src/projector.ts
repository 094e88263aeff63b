import {
  type AttemptRecord,
  attemptRecord,
  type ConfigRecord,
  type ConfigState,
  deadLetterRecord,
  endpointStatusRecord,
  isEndpointStatusValue,
  type TopicNames,
} from '@hookline/core';
import {
  type BatchControl,
  type EventLog,
  type LogRecord,
  type OutgoingRecord,
  type PartitionBatch,
  type RecordPublisher,
  type RunningConsumer,
  rejectedRecord,
} from '@hookline/kafka';
import type { EndpointStatsDoc } from '@hookline/store';
import type { Tracing } from '@hookline/tracing';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { z } from 'zod';
import type { AlertNotifier } from './alerts/notifier.js';
import { type ConfigUpdater, disableEndpoint } from './auto-disable.js';
import { FoldFlusher, type FoldFlushOptions } from './fold-flush.js';
import type { ProjectionStore } from './projection-store.js';
import { traceAttemptFold } from './tracing.js';

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
  /** A `projector` span per attempt folded, continuing the attempt record's trace context. */
  tracing?: Tracing | undefined;
  /** When staged counters are written (`FoldFlusher`'s defaults unless set). */
  foldFlush?: Pick<FoldFlushOptions, 'smallFlushDocs' | 'maxDelayMs'>;
}

/** A batch's records split into the readable ones (with their records) and `rejected` records for the rest. */
interface Parsed<T> {
  values: T[];
  records: LogRecord[];
  rejected: OutgoingRecord[];
}

function parseAll<T>(records: LogRecord[], schema: z.ZodType<T>, what: string): Parsed<T> {
  const parsed: Parsed<T> = { values: [], records: [], rejected: [] };
  for (const record of records) {
    const reason = readValue(record, schema, what);
    if (typeof reason === 'string') parsed.rejected.push(rejectedRecord(record, reason));
    else {
      parsed.values.push(reason.value);
      parsed.records.push(record);
    }
  }
  return parsed;
}

/**
 * Writes `values` with `write`; when the store refuses them for what they contain (`unstorable`), writes them
 * one by one so that only the values it refuses are left out, each turned into a `rejected` record with the
 * store's reason. Any other failure (the server is away) throws, and the batch is read again.
 */
async function writeIsolated<T>(
  parsed: Parsed<T>,
  write: (values: T[], records: LogRecord[]) => Promise<void>,
  unstorable: (error: unknown) => boolean,
  what: string,
): Promise<{ refused: OutgoingRecord[]; stored: T[] }> {
  try {
    await write(parsed.values, parsed.records);
    return { refused: [], stored: parsed.values };
  } catch (error) {
    if (!unstorable(error)) throw error;
  }
  const refused: OutgoingRecord[] = [];
  const stored: T[] = [];
  for (const [i, value] of parsed.values.entries()) {
    const record = parsed.records[i]!;
    try {
      await write([value], [record]);
      stored.push(value);
    } catch (error) {
      if (!unstorable(error)) throw error;
      refused.push(rejectedRecord(record, `unstorable ${what}: ${(error as Error).message}`));
    }
  }
  return { refused, stored };
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
  tracing,
  foldFlush,
}: ProjectorDeps): Promise<RunningConsumer> {
  const projected = new Counter({
    name: 'hookline_projected_attempts_total',
    help: 'Attempts written to the read models (and, as result="endpoint-status", circuit and lane status records)',
    labelNames: ['result'],
    registers: [metrics],
  });
  const rejectedOut = new Counter({
    name: 'hookline_projector_rejected_records_total',
    help: 'Attempt and dead-letter records sent to the rejected topic instead of the read models, by topic and why (unreadable: not a record of its kind; unstorable: refused by MongoDB)',
    labelNames: ['topic', 'reason'],
    registers: [metrics],
  });
  const disabled = new Counter({
    name: 'hookline_endpoints_auto_disabled_total',
    help: 'Endpoints disabled after consecutive failures',
    registers: [metrics],
  });

  /** Never dropped silently: each record the read models cannot take goes to `rejected`, counted and logged. */
  async function reject(batch: PartitionBatch, unreadable: OutgoingRecord[], unstorable: OutgoingRecord[] = []): Promise<void> {
    const rejected = [...unreadable, ...unstorable];
    if (rejected.length === 0) return;
    await publisher.publish([{ topic: topics.rejected, records: rejected }]);
    projected.inc({ result: 'unreadable' }, rejected.length);
    if (unreadable.length) rejectedOut.inc({ topic: batch.topic, reason: 'unreadable' }, unreadable.length);
    if (unstorable.length) rejectedOut.inc({ topic: batch.topic, reason: 'unstorable' }, unstorable.length);
    logger.error(
      { unreadable: unreadable.length, unstorable: unstorable.length, topic: batch.topic, partition: batch.partition },
      'records sent to the rejected topic',
    );
  }

  async function projectDeadLetters(batch: PartitionBatch): Promise<void> {
    const letters = parseAll(batch.records, deadLetterRecord, 'dead letter');
    const { refused, stored } = await writeIsolated(
      letters,
      (values) => store.deadLetters.record(values),
      (error) => store.unstorable(error),
      'dead letter',
    );
    projected.inc({ result: 'dead-letter' }, stored.length);
    await reject(batch, letters.rejected, refused);
  }

  /** Circuit transitions and blocked lanes that delivery writes next to the attempts (see `endpoint-status.ts`). */
  async function projectStatus(batch: PartitionBatch, records: LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    const parsed = parseAll(records, endpointStatusRecord, 'endpoint status');
    const { refused, stored } = await writeIsolated(
      parsed,
      (values, from) =>
        store.health.fold(
          values.map((value, i) => ({ value, offset: Number(from[i]!.offset) })),
          batch.partition,
        ),
      (error) => store.unstorable(error),
      'endpoint status',
    );
    projected.inc({ result: 'endpoint-status' }, stored.length);
    await reject(batch, parsed.rejected, refused);
  }

  const folds = new FoldFlusher({ store, logger, ...foldFlush });

  /** `heartbeat` between the writes of a large batch keeps this member in its group while they take long. */
  async function projectAttempts(batch: PartitionBatch, control: BatchControl): Promise<void> {
    const heartbeat = () => control.heartbeat();
    const [status, attemptRecords] = splitStatusRecords(batch.records);
    await projectStatus(batch, status);
    const parsed = parseAll(attemptRecords, attemptRecord, 'attempt');
    let recorded = 0;
    const updated = new Map<string, EndpointStatsDoc>();
    // With their offsets, a batch replayed after a crash mid-write is folded into the stats exactly once.
    const { refused, stored: attempts } = await writeIsolated(
      parsed,
      async (values, records) => {
        const result = await store.recordAttempts(
          values,
          { partition: batch.partition, offsets: records.map((r) => r.offset.toString()) },
          heartbeat,
          { deferFolds: true },
        );
        recorded += result.recorded;
        for (const [endpointId, stats] of result.stats) updated.set(endpointId, stats);
      },
      (error) => store.unstorable(error),
      'attempt',
    );
    projected.inc({ result: 'new' }, recorded);
    projected.inc({ result: 'duplicate' }, attempts.length - recorded);
    await reject(batch, parsed.rejected, refused);
    // The counters are written now or with the next batches' (`FoldFlusher`); until then the records stay uncommitted.
    await folds.afterBatch(
      batch.partition,
      parsed.records.map((record) => control.hold(record)),
    );
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

  const consumer = await log.consume({
    groupId,
    topics: [topics.attempts, topics.deadLetter],
    // Read models are not on the delivery path: a fetch waits 500 ms (or for ~2,500 attempts) so each batch writes
    // many attempts to MongoDB in one round; at a trickle, one fetch and one write per attempt cost more than both.
    // (Idle, it asks once per 3 s like any member: after a fetch that found nothing, the next one returns with the
    // first attempt, see `GroupConsumerOptions.minBytes`; it asked twice a second before.) A batch's writes
    // cost per endpoint it touches more than per attempt (a stats share and four chart buckets each), so the
    // rounds are as few as the 500 ms staleness allows: with ~600 attempts (1 MiB) a round, 1,500 attempts/s made
    // three rounds a second where two do. A backlog is read in batches of up to ~2,500.
    minBytes: projectorFetchMinBytes,
    maxWaitMs: 500,
    maxBytesPerPartition: projectorBatchMaxBytes,
    onAssignment: (assigned) => {
      // Partitions moved: another projector may have changed what the notifier cached, and folds its new ones.
      alerts.forget();
      folds.keepOnly(new Set(assigned.filter((p) => p.topic === topics.attempts).map((p) => p.partition)));
    },
    onBatch: (batch, control) =>
      batch.topic === topics.deadLetter
        ? projectDeadLetters(batch)
        : traceAttemptFold(tracing, batch, () => projectAttempts(batch, control)),
  });
  return {
    get held() {
      return consumer.held;
    },
    pause: () => consumer.pause(),
    commit: () => consumer.commit(),
    health: () => {
      const verdict = consumer.health();
      const unwritten = folds.oldestUnwritten();
      if (verdict.status !== 'ok' || !unwritten || unwritten.waitingMs < slowCountersMs) return verdict;
      const { partition, waitingMs, records } = unwritten;
      const reason = `counters of ${topics.attempts}[${partition}] unwritten for ${Math.round(waitingMs / 1000)} s (${records} records held)`;
      return { status: 'degraded', reason };
    },
    async stop() {
      // Staged counters are written before the stop commits, so their records are committed with them.
      consumer.pause();
      await folds.flushAll();
      await consumer.stop();
      // A batch in hand at the pause stays uncommitted (read again by the next owner), its counters unwritten.
      folds.stop();
    },
  };
}

/** Staged counters unwritten this long make the projector's `/health` degraded, naming the partition. */
const slowCountersMs = 30_000;
/** About 2,500 attempt records (of ~1.6 KB). */
const projectorBatchMaxBytes = 4 * 1024 * 1024;
/** A full batch, or the 500 ms wait, whichever comes first. */
const projectorFetchMinBytes = projectorBatchMaxBytes;

const kindField = Buffer.from('"kind"');

/** Status records (any value with a `kind`) apart from attempt records, each list in offset order. */
function splitStatusRecords(records: LogRecord[]): [LogRecord[], LogRecord[]] {
  const status: LogRecord[] = [];
  const attempts: LogRecord[] = [];
  for (const record of records) {
    let value: unknown;
    // Attempt records (all but a few) have no `kind` anywhere: only the rest are parsed here, not every attempt twice.
    if (record.value?.includes(kindField)) {
      try {
        value = JSON.parse(record.value.toString('utf8'));
      } catch {
        // Not JSON: the attempt path rejects it with the reason.
      }
    }
    (isEndpointStatusValue(value) ? status : attempts).push(record);
  }
  return [status, attempts];
}

function lastAttemptOf(attempts: AttemptRecord[], endpointId: string): AttemptRecord | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i]!.endpointId === endpointId) return attempts[i];
  return undefined;
}
