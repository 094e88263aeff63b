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

  async run<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.drain();
    });
    try {
      return await work();
    } finally {
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
      this.refillTimer = setTimeout(() => {
        this.refillTimer = undefined;
        this.drain();
      }, Math.max(1, waitMs));
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
