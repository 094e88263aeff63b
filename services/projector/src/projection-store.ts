import type { AttemptRecord, DeadLetterRecord } from '@hookline/core';
import type { AlertDoc, AlertWindowDoc, EndpointStatsDoc, PositionedStatus } from '@hookline/store';

/** Where an attempt batch came from: with it, a batch replayed after a crash mid-write is counted once. */
export interface AttemptSource {
  partition: number;
  offsets: string[];
}

/**
 * What the projector needs of the read models (`Store` of `@hookline/store` in production; an in-memory one in
 * unit tests). Both writes are idempotent: attempts by attempt id, dead letters by delivery id.
 */
export interface ProjectionStore {
  /**
   * Stores new attempts and folds them into their endpoints' stats; returns how many were new and the stats that
   * moved. `between` is called between its writes (a heartbeat while a large batch takes long). With
   * `deferFolds` the stats are staged until `flushFolds`.
   */
  recordAttempts(
    attempts: AttemptRecord[],
    source: AttemptSource,
    between?: () => Promise<void>,
    options?: { deferFolds?: boolean },
  ): Promise<{ recorded: number; stats: Map<string, EndpointStatsDoc> }>;
  /** Writes the stats `recordAttempts` staged with `deferFolds` for a partition. */
  flushFolds(partition: number): Promise<unknown>;
  /** How many stats documents of a partition are staged. */
  stagedFolds(partition: number): number;
  /** Forgets what is staged for a partition this process no longer owns. */
  dropFolds(partition: number): void;
  readonly deadLetters: { record(letters: DeadLetterRecord[]): Promise<void> };
  /** Folds delivery's status records (circuit transitions, blocked lanes) of one partition; idempotent by offset. */
  readonly health: { fold(records: PositionedStatus[], partition: number): Promise<void> };
  /** True when a write failed for what was written (retrying cannot help): the record goes to `rejected`. */
  unstorable(error: unknown): boolean;
}

/** What `AlertNotifier` needs of the alert store (`Alerts` of `@hookline/store` in production). */
export interface AlertStore {
  window(endpointId: string): Promise<AlertWindowDoc | null>;
  saveWindow(doc: AlertWindowDoc): Promise<void>;
  /** Idempotent by alert id. */
  recordFired(doc: AlertDoc): Promise<void>;
  recordResolved(alertId: string, resolvedAt: string, message: string): Promise<void>;
}
