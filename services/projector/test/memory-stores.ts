import type { AttemptRecord, DeadLetterRecord } from '@hookline/core';
import type { AlertDoc, AlertWindowDoc, EndpointStatsDoc, PositionedStatus } from '@hookline/store';
import type { AlertStore, AttemptSource, ProjectionStore } from '../src/projection-store.js';

/**
 * `ProjectionStore` in memory, with the semantics the projector relies on: attempts are stored once by id
 * and only new ones are folded into the stats; dead letters keep the newest per delivery.
 */
/** What the memory store throws for a record MongoDB would refuse (a key with a dot, as FerretDB does). */
export class RefusedInMemory extends Error {}

export class MemoryProjectionStore implements ProjectionStore {
  readonly attempts = new Map<string, AttemptRecord>();
  readonly stats = new Map<string, EndpointStatsDoc>();
  readonly letters = new Map<string, DeadLetterRecord>();
  readonly deadLetters = {
    record: async (letters: DeadLetterRecord[]) => {
      if (letters.some((l) => hasDottedKey(l))) throw new RefusedInMemory('key must not contain a dot');
      for (const letter of letters) this.letters.set(letter.task.deliveryId, letter);
    },
  };

  readonly statusRecords: { value: PositionedStatus['value']; offset: number; partition: number }[] = [];
  readonly health = {
    fold: async (records: PositionedStatus[], partition: number) => {
      for (const r of records) this.statusRecords.push({ ...r, partition });
    },
  };

  unstorable(error: unknown): boolean {
    return error instanceof RefusedInMemory;
  }

  /** Stats are folded at once here; nothing is ever staged. */
  async flushFolds(): Promise<void> {}

  stagedFolds(): number {
    return 0;
  }

  dropFolds(): void {}

  async recordAttempts(
    attempts: AttemptRecord[],
    _source: AttemptSource,
  ): Promise<{ recorded: number; stats: Map<string, EndpointStatsDoc> }> {
    if (attempts.some((a) => hasDottedKey(a))) throw new RefusedInMemory('key must not contain a dot');
    const fresh = attempts.filter((a) => !this.attempts.has(a.attemptId));
    const updated = new Map<string, EndpointStatsDoc>();
    for (const attempt of fresh) {
      this.attempts.set(attempt.attemptId, attempt);
      const stats = this.fold(attempt);
      updated.set(attempt.endpointId, stats);
    }
    return { recorded: fresh.length, stats: updated };
  }

  private fold(attempt: AttemptRecord): EndpointStatsDoc {
    const before = this.stats.get(attempt.endpointId);
    const ok = attempt.outcome === 'success';
    const stats: EndpointStatsDoc = {
      _id: attempt.endpointId,
      tenantId: attempt.tenantId,
      attempts: (before?.attempts ?? 0) + 1,
      succeeded: (before?.succeeded ?? 0) + (ok ? 1 : 0),
      failed: (before?.failed ?? 0) + (ok ? 0 : 1),
      totalLatencyMs: (before?.totalLatencyMs ?? 0) + attempt.durationMs,
      maxLatencyMs: Math.max(before?.maxLatencyMs ?? 0, attempt.durationMs),
      lastAttemptAt: attempt.startedAt,
      lastStatus: attempt.outcome,
      lastStatusCode: attempt.statusCode ?? null,
      lastError: attempt.errorMessage ?? null,
      consecutiveFailures: ok ? 0 : (before?.consecutiveFailures ?? 0) + 1,
    };
    this.stats.set(attempt.endpointId, stats);
    return stats;
  }
}

/** `AlertStore` in memory. */
export class MemoryAlertStore implements AlertStore {
  readonly windows = new Map<string, AlertWindowDoc>();
  readonly alerts = new Map<string, AlertDoc>();

  async window(endpointId: string): Promise<AlertWindowDoc | null> {
    return structuredClone(this.windows.get(endpointId) ?? null);
  }

  async saveWindow(doc: AlertWindowDoc): Promise<void> {
    this.windows.set(doc._id, structuredClone(doc));
  }

  async recordFired(doc: AlertDoc): Promise<void> {
    this.alerts.set(doc._id, structuredClone(doc));
  }

  async recordResolved(alertId: string, resolvedAt: string, message: string): Promise<void> {
    const alert = this.alerts.get(alertId);
    if (alert) this.alerts.set(alertId, { ...alert, state: 'resolved', resolvedAt, message });
  }
}

function hasDottedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, inner]) => key.includes('.') || hasDottedKey(inner));
}
