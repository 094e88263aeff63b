/**
 * Per-endpoint admission: at most `concurrency` requests at once and, optionally, `ratePerSecond` starts per
 * second (token bucket). Work beyond that waits in the endpoint's own queue, so a slow endpoint only ever
 * delays itself. `queued` lets the caller divert work once an endpoint's backlog is too long.
 */
export class EndpointLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private lastRefill = Date.now();
  private refillTimer: NodeJS.Timeout | undefined;
  private averageMs: number | undefined;
  /** When each piece of work now running started (performance.now()). */
  private readonly runningSince = new Set<{ at: number }>();

  constructor(
    private concurrency: number,
    private ratePerSecond: number | undefined,
  ) {
    this.tokens = ratePerSecond ?? 0;
  }

  configure(concurrency: number, ratePerSecond: number | undefined): void {
    this.concurrency = concurrency;
    if (ratePerSecond !== this.ratePerSecond) {
      this.ratePerSecond = ratePerSecond;
      this.tokens = Math.min(this.tokens, ratePerSecond ?? 0);
    }
    this.drain();
  }

  get queued(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  /**
   * How long the queue would take to drain: at the recent pace (a moving average of how long one piece of work
   * took, over `concurrency` lanes) and, with a rate limit, no sooner than the rate lets it start. Undefined
   * while neither is known (no rate limit and no work finished yet).
   */
  get drainEstimateMs(): number | undefined {
    const waiting = this.waiting.length;
    const byPace = this.averageMs === undefined ? undefined : (waiting * this.averageMs) / this.concurrency;
    const byRate = this.ratePerSecond ? (waiting / this.ratePerSecond) * 1000 : undefined;
    if (byPace === undefined) return byRate;
    return Math.max(byPace, byRate ?? 0);
  }

  /** How long every slot has been held by the work now in it: the youngest one's age, or 0 while a slot is free. */
  get stalledForMs(): number {
    if (this.running < this.concurrency || this.runningSince.size === 0) return 0;
    let youngest = 0;
    for (const { at } of this.runningSince) youngest = Math.max(youngest, at);
    return performance.now() - youngest;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.drain();
    });
    const started = performance.now();
    const since = { at: started };
    this.runningSince.add(since);
    try {
      return await work();
    } finally {
      this.runningSince.delete(since);
      const took = performance.now() - started;
      this.averageMs = this.averageMs === undefined ? took : this.averageMs * 0.9 + took * 0.1;
      this.running--;
      this.drain();
    }
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.running < this.concurrency && this.takeToken()) {
      this.running++;
      this.waiting.shift()!();
    }
    if (this.waiting.length > 0 && this.running < this.concurrency && this.ratePerSecond && !this.refillTimer) {
      const waitMs = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
      this.refillTimer = setTimeout(
        () => {
          this.refillTimer = undefined;
          this.drain();
        },
        Math.max(1, waitMs),
      );
    }
  }

  private takeToken(): boolean {
    if (!this.ratePerSecond) return true;
    const now = Date.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.lastRefill) / 1000) * this.ratePerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
