/** Upper bounds (ms) of the latency buckets; percentiles are reported as the bound of their bucket. */
export const latencyBucketBounds = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

export function latencyBucketOf(durationMs: number): string {
  const bound = latencyBucketBounds.find((b) => durationMs <= b);
  return bound === undefined ? 'inf' : String(bound);
}

/** The upper bound of the bucket holding the `p` quantile (e.g. 0.95); null without data. */
export function latencyPercentile(buckets: Record<string, number> | undefined, p: number): number | null {
  if (!buckets) return null;
  const total = Object.values(buckets).reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const bound of [...latencyBucketBounds.map(String), 'inf']) {
    seen += buckets[bound] ?? 0;
    if (seen >= p * total) return bound === 'inf' ? Number.POSITIVE_INFINITY : Number(bound);
  }
  return null;
}
