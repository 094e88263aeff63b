/** A bucket's rate: `perSecond` tokens come back each second, up to `burst` held at once. */
export interface BucketRate {
  perSecond: number;
  burst: number;
}

/** What taking from a bucket answered; the numbers are what the `RateLimit-*` headers say. */
export interface Take {
  allowed: boolean;
  /** Whole tokens left after this take (0 when refused or in debt). */
  remaining: number;
  /** Seconds until the request could pass (0 when allowed). */
  retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key (a tenant, an API key, a hook), in this process's memory. A full bucket lets any cost
 * through and goes into debt, so a batch larger than the burst is not refused forever: the debt is paid back at
 * the rate before the next request passes, which keeps the average rate. At most `maxKeys` buckets are kept (the
 * least recently used goes first; a forgotten bucket comes back full, so forgetting only ever lets more through).
 * Time comes from `now` (Date.now by default) so tests use fake timers.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly rate: BucketRate,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1)) throw new Error('a bucket needs perSecond > 0 and burst >= 1');
  }

  /** Takes `cost` tokens from `key`'s bucket, or refuses without taking any. */
  take(key: string, cost = 1): Take {
    const { perSecond, burst } = this.rate;
    const now = this.now();
    const bucket = this.current(key, now);
    const allowed = bucket.tokens >= cost || bucket.tokens >= burst;
    if (allowed) bucket.tokens -= cost;
    const needed = Math.min(cost, burst) - bucket.tokens;
    return {
      allowed,
      remaining: Math.max(0, Math.floor(bucket.tokens)),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(needed / perSecond)),
      resetSeconds: Math.max(0, Math.ceil((burst - bucket.tokens) / perSecond)),
    };
  }

  /** How many buckets are kept (for tests of the bound). */
  get size(): number {
    return this.buckets.size;
  }

  private current(key: string, now: number): Bucket {
    const { perSecond, burst } = this.rate;
    const found = this.buckets.get(key);
    // Re-inserted on every use, so the map's first entry is the least recently used one.
    if (found) this.buckets.delete(key);
    const bucket = found
      ? { tokens: Math.min(burst, found.tokens + ((now - found.at) / 1000) * perSecond), at: now }
      : { tokens: burst, at: now };
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket;
  }
}
