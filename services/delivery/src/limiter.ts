import { endpointStalledAfterMs } from '@hookline/delivery-policy';

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
  /**
   * When the endpoint last showed progress (performance.now()): a piece of work that finished, or started, within
   * `endpointStalledAfterMs` (of starting, or of arriving). An endpoint that hangs until the timeout shows none: its
   * requests finish at the timeout and the ones queued behind them start as late.
   */
  private progressAt = performance.now();

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

  /**
   * How long every slot has been taken while the endpoint showed no progress (see `progressAt`), or 0 while a slot
   * is free. Unlike the age of the work in the slots, it keeps growing across the timeouts of an endpoint that
   * hangs, so how long it has hung is known.
   */
  get stalledForMs(): number {
    if (this.running < this.concurrency) return 0;
    return performance.now() - this.progressAt;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const arrived = performance.now();
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.drain();
    });
    const started = performance.now();
    if (started - arrived < endpointStalledAfterMs) this.progressAt = started;
    try {
      return await work();
    } finally {
      const ended = performance.now();
      const took = ended - started;
      if (took < endpointStalledAfterMs) this.progressAt = ended;
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
