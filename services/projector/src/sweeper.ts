import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';

/** One kind of expiring document as the sweeper sees it (`ExpiredDocuments` of `@hookline/store` in production). */
export interface SweepTarget {
  readonly kind: string;
  /** Deletes up to `limit` documents older than `cutoff`; returns how many. */
  deleteBatch(cutoff: Date, limit: number): Promise<number>;
}

export interface RetentionSweeperOptions {
  targets: { target: SweepTarget; retentionMs: number }[];
  intervalMs: number;
  /** Documents per delete. */
  batchSize: number;
  /** Batches per kind and run, so one run cannot hold MongoDB busy for long; the rest waits for the next run. */
  maxBatchesPerRun: number;
  metrics: Registry;
  logger: Logger;
  now?: () => number;
}

/**
 * Deletes what has outlived its retention (FerretDB v1 ignores TTL indexes): every `intervalMs`, for each kind,
 * batched deletes of documents older than now minus its retention. Every projector instance sweeps; deletes are
 * idempotent, so two sweeping at once delete each document once between them. A failed sweep is logged and
 * counted and tried again at the next run.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly deleted: Counter<'kind'>;
  private readonly failures: Counter<'kind'>;
  private readonly lastRun: Gauge;

  constructor(private readonly options: RetentionSweeperOptions) {
    this.deleted = new Counter({
      name: 'hookline_retention_deleted_total',
      help: 'Documents deleted after their retention, by kind',
      labelNames: ['kind'],
      registers: [options.metrics],
    });
    this.failures = new Counter({
      name: 'hookline_retention_sweep_failures_total',
      help: 'Retention sweeps that failed (tried again at the next run), by kind',
      labelNames: ['kind'],
      registers: [options.metrics],
    });
    this.lastRun = new Gauge({
      name: 'hookline_retention_last_sweep_timestamp_seconds',
      help: 'When the last retention sweep finished',
      registers: [options.metrics],
    });
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run over every kind; returns how many documents of each were deleted. */
  async sweep(): Promise<Record<string, number>> {
    const { targets, batchSize, maxBatchesPerRun, logger } = this.options;
    const now = this.options.now ?? Date.now;
    const counts: Record<string, number> = {};
    for (const { target, retentionMs } of targets) {
      const cutoff = new Date(now() - retentionMs);
      let kindTotal = 0;
      try {
        for (let batch = 0; batch < maxBatchesPerRun && !this.stopped; batch++) {
          const deleted = await target.deleteBatch(cutoff, batchSize);
          kindTotal += deleted;
          this.deleted.inc({ kind: target.kind }, deleted);
          if (deleted < batchSize) break;
        }
      } catch (error) {
        this.failures.inc({ kind: target.kind });
        logger.warn({ err: error, kind: target.kind }, 'retention sweep failed');
      }
      counts[target.kind] = kindTotal;
    }
    this.lastRun.set(now() / 1000);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total > 0) logger.info({ deleted: counts }, 'expired documents deleted');
    return counts;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => undefined)
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.options.intervalMs);
  }
}
