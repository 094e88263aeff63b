/**
 * After a count that took `d`, a new one starts no sooner than this many times `d` after the last one started (nine
 * times `d` after it ended): however large a collection grows, counting it keeps the database busy at most a tenth
 * of the time.
 */
export const countSpacing = 10;

/**
 * A count that scans (on FerretDB, `countDocuments` decodes every document of the collection, whatever the
 * filter), read at most one at a time and spaced by how long the last one took. Callers while a count runs share
 * it; callers soon after get its value. Without this, readers faster than a count (the bench's scrapes, a dashboard
 * refreshing) each started another scan beside the running ones until the server answered nothing else
 * (docs/benchmarks.md, round 8).
 */
export class PacedCount<T> {
  /** The last count's outcome, reused until `nextAt`: a failing scan is paced like a slow one. */
  private outcome: { value: T } | { error: unknown } | undefined;
  private lastValue: { value: T } | undefined;
  private running: Promise<T> | undefined;
  private nextAt = 0;
  /** Bumped by `invalidate`: a count started before it neither is shared nor sets the outcome. */
  private generation = 0;

  constructor(
    private readonly count: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The running count's value, else the last one's while it is fresh, else a new count's. A failed count rejects its callers. */
  latest(): Promise<T> {
    if (this.running) return this.running;
    const outcome = this.outcome;
    if (outcome && this.now() < this.nextAt) return 'value' in outcome ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
    const started = this.now();
    const generation = this.generation;
    const settle = (settled: { value: T } | { error: unknown }) => {
      if (generation !== this.generation) return;
      this.outcome = settled;
      if ('value' in settled) this.lastValue = settled;
      const ended = this.now();
      this.nextAt = ended + (ended - started) * (countSpacing - 1);
      this.running = undefined;
    };
    const running = this.count().then(
      (value) => {
        settle({ value });
        return value;
      },
      (error: unknown) => {
        settle({ error });
        throw error;
      },
    );
    this.running = running;
    return running;
  }

  /** The last value counted, if any (without starting a count). */
  get last(): T | undefined {
    return this.lastValue?.value;
  }

  /** Whether a count runs, or its outcome is still fresh: false once the entry can be dropped. */
  get busy(): boolean {
    return this.running !== undefined || this.now() < this.nextAt;
  }

  /**
   * Something this process wrote changed the count: the next caller counts again, even while a count that started
   * before the write runs (its callers still get its value).
   */
  invalidate(): void {
    this.generation++;
    this.outcome = undefined;
    this.running = undefined;
    this.nextAt = 0;
  }
}

/** Paced counts by key (one per endpoint and filter), dropping entries that are neither running nor fresh. */
export class PacedCounts {
  private readonly counts = new Map<string, PacedCount<number>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly pruneAbove = 1_000,
  ) {}

  latest(key: string, count: () => Promise<number>): Promise<number> {
    let entry = this.counts.get(key);
    if (!entry) {
      if (this.counts.size >= this.pruneAbove) this.prune();
      entry = new PacedCount(count, this.now);
      this.counts.set(key, entry);
    }
    return entry.latest();
  }

  /** Invalidates every key that starts with `prefix` (an endpoint's counts, whatever their filter). */
  invalidate(prefix: string): void {
    for (const [key, entry] of this.counts) if (key.startsWith(prefix)) entry.invalidate();
  }

  private prune(): void {
    for (const [key, entry] of this.counts) if (!entry.busy) this.counts.delete(key);
  }
}
