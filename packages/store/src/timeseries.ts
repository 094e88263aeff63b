import type { Collection, Db } from 'mongodb';
import { type SourcedAttempt, sourcePosition } from './attempt-source.js';
import { latencyBucketOf, latencyPercentile } from './latency.js';
import { type OwnedDoc, partitionSuffix } from './owned-write.js';
import { WriteBehind } from './write-behind.js';

/**
 * Delivered/failed counts and latency buckets of one scope (an endpoint or a whole tenant) in one time bucket.
 * `_id` is `${scope}|${resolution}|${bucket start ISO}|p${partition}`: one `attempts` partition's share, written
 * only by the projector that owns the partition (a tenant's endpoints spread over partitions, so a tenant's
 * bucket has up to one share per partition, summed on read). A chart is one `_id` range read (ISO strings sort
 * by time), FerretDB-safe and needing no other index. Documents of the first shape (no partition suffix,
 * `$inc`-updated by every projector, `foldedOffsets` per partition) are still summed in, never written again.
 */
export interface TimeBucketDoc {
  _id: string;
  delivered?: number;
  failed?: number;
  totalMs?: number;
  /** Attempt counts per latency bucket, keyed by the bucket's upper bound in ms (`inf` for the last). */
  latency?: Record<string, number>;
  /** First shape only: highest `attempts` offset folded into this bucket, per partition (`p0`, `p1`, ...). */
  foldedOffsets?: Record<string, number>;
}

/** One partition's share of a bucket; `resolution` and `start` let the retention sweeper find old ones. */
export interface TimeBucketShare extends TimeBucketDoc, OwnedDoc {
  resolution: Resolution;
  start: string;
}

export type Resolution = 'm' | 'h';
const resolutionMs: Record<Resolution, number> = { m: 60_000, h: 3_600_000 };

/** The chart windows the admin API offers: how far back, at which stored resolution, in buckets of how long. */
export const timeseriesWindows = {
  '1h': { spanMs: 3_600_000, resolution: 'm', bucketSeconds: 60 },
  '24h': { spanMs: 24 * 3_600_000, resolution: 'm', bucketSeconds: 15 * 60 },
  '7d': { spanMs: 7 * 24 * 3_600_000, resolution: 'h', bucketSeconds: 3600 },
} as const satisfies Record<string, { spanMs: number; resolution: Resolution; bucketSeconds: number }>;
export type TimeseriesWindow = keyof typeof timeseriesWindows;

export interface TimeseriesPoint {
  /** Bucket start, ISO-8601. */
  t: string;
  delivered: number;
  failed: number;
  avgMs: number;
  /** Upper bound of the latency bucket holding the 95th percentile (30 s for slower). */
  p95Ms: number;
}

/** Scope key of an endpoint's or a tenant's series. */
export const endpointScope = (endpointId: string) => `ep:${endpointId}`;
export const tenantScope = (tenantId: string) => `tn:${tenantId}`;

function bucketStart(iso: string, resolution: Resolution): string {
  const ms = resolutionMs[resolution];
  return new Date(Math.floor(Date.parse(iso) / ms) * ms).toISOString();
}

/** Per-minute and per-hour buckets of delivery outcomes, for each endpoint and each tenant. */
export class Timeseries {
  readonly buckets: Collection<TimeBucketDoc>;
  /** The owner's folds of its partitions' shares until they are flushed (`Store.flushFolds`). */
  readonly folds: WriteBehind<TimeBucketShare>;

  constructor(db: Db) {
    this.buckets = db.collection<TimeBucketDoc>('timeseries');
    this.folds = new WriteBehind(this.buckets as unknown as Collection<TimeBucketShare>);
  }

  /**
   * Folds attempts of one partition (in offset order, tagged with their records' positions) into the partition's
   * shares of their buckets: absolute values, skipping what a share has folded before (`through`), so a batch
   * that comes again after a crash or a rebalance counts once. The shares are staged in `folds`, written by its
   * flush; a share staged earlier is the base of the next fold. At most one read request per batch.
   */
  async record(attempts: SourcedAttempt[], partition: number): Promise<void> {
    const byBucket = new Map<string, { resolution: Resolution; start: string; attempts: SourcedAttempt[] }>();
    for (const a of attempts) {
      for (const scope of [endpointScope(a.endpointId), tenantScope(a.tenantId)]) {
        for (const resolution of ['m', 'h'] as const) {
          const start = bucketStart(a.startedAt, resolution);
          const key = `${scope}|${resolution}|${start}`;
          const bucket = byBucket.get(key) ?? { resolution, start, attempts: [] };
          bucket.attempts.push(a);
          byBucket.set(key, bucket);
        }
      }
    }
    if (byBucket.size === 0) return;
    const shareId = (key: string) => key + partitionSuffix(partition);
    const ids = [...byBucket.keys()].flatMap((key) => [key, shareId(key)]);
    const stored: Map<string, TimeBucketDoc> = await this.folds.read(ids);
    const writes: TimeBucketShare[] = [];
    for (const [key, { resolution, start, attempts: list }] of byBucket) {
      const share = stored.get(shareId(key)) as TimeBucketShare | undefined;
      const base: TimeBucketShare = share ?? {
        _id: shareId(key),
        partition,
        // A new share starts where the first-shape bucket's fold of this partition ended.
        through: stored.get(key)?.foldedOffsets?.[`p${partition}`] ?? -1,
        resolution,
        start,
      };
      const fresh = list.filter((a) => sourcePosition(a)!.offset > base.through);
      if (fresh.length === 0) continue;
      const next: TimeBucketShare = { ...base, latency: { ...base.latency } };
      for (const a of fresh) {
        const outcome = a.outcome === 'success' ? 'delivered' : 'failed';
        const latency = latencyBucketOf(a.durationMs);
        next[outcome] = (next[outcome] ?? 0) + 1;
        next.totalMs = (next.totalMs ?? 0) + a.durationMs;
        next.latency![latency] = (next.latency![latency] ?? 0) + 1;
        next.through = Math.max(next.through, sourcePosition(a)!.offset);
      }
      writes.push(next);
    }
    this.folds.stage(writes);
  }

  /** Failed attempts of a scope that started at or after `since` (to the minute): minute buckets up to the next hour, hour buckets after. */
  async failedSince(scope: string, since: number, now = Date.now()): Promise<number> {
    const fromMinute = Math.floor(since / resolutionMs.m) * resolutionMs.m;
    const nextHour = Math.ceil(since / resolutionMs.h) * resolutionMs.h;
    const range = (resolution: Resolution, from: number, to: number) => ({
      _id: { $gte: `${scope}|${resolution}|${new Date(from).toISOString()}`, $lt: `${scope}|${resolution}|${new Date(to).toISOString()}` },
    });
    const [minutes, hours] = await Promise.all([
      this.buckets.find(range('m', fromMinute, Math.min(nextHour, now + 1)), { projection: { failed: 1 } }).toArray(),
      nextHour <= now ? this.buckets.find(range('h', nextHour, now + 1), { projection: { failed: 1 } }).toArray() : [],
    ]);
    return [...minutes, ...hours].reduce((n, d) => n + (d.failed ?? 0), 0);
  }

  /** The series of one scope over a window ending now, one point per bucket (empty buckets as zeros). */
  async series(scope: string, window: TimeseriesWindow, now = Date.now()): Promise<{ bucketSeconds: number; points: TimeseriesPoint[] }> {
    const { spanMs, resolution, bucketSeconds } = timeseriesWindows[window];
    const bucketMs = bucketSeconds * 1000;
    const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
    const start = end - Math.ceil(spanMs / bucketMs) * bucketMs;
    const prefix = `${scope}|${resolution}|`;
    const docs = await this.buckets
      .find({ _id: { $gte: prefix + new Date(start).toISOString(), $lt: prefix + new Date(end).toISOString() } })
      .toArray();
    const merged = new Map<number, { delivered: number; failed: number; totalMs: number; latency: Record<string, number> }>();
    for (const doc of docs) {
      const at = Date.parse(doc._id.slice(prefix.length).split('|')[0]!);
      const slot = Math.floor(at / bucketMs) * bucketMs;
      const point = merged.get(slot) ?? { delivered: 0, failed: 0, totalMs: 0, latency: {} };
      point.delivered += doc.delivered ?? 0;
      point.failed += doc.failed ?? 0;
      point.totalMs += doc.totalMs ?? 0;
      for (const [bound, n] of Object.entries(doc.latency ?? {})) point.latency[bound] = (point.latency[bound] ?? 0) + n;
      merged.set(slot, point);
    }
    const points: TimeseriesPoint[] = [];
    for (let slot = start; slot < end; slot += bucketMs) {
      const point = merged.get(slot);
      const count = point ? point.delivered + point.failed : 0;
      const p95 = point ? latencyPercentile(point.latency, 0.95) : null;
      points.push({
        t: new Date(slot).toISOString(),
        delivered: point?.delivered ?? 0,
        failed: point?.failed ?? 0,
        avgMs: count === 0 ? 0 : Math.round(point!.totalMs / count),
        p95Ms: p95 === null ? 0 : p95 === Number.POSITIVE_INFINITY ? 30_000 : p95,
      });
    }
    return { bucketSeconds, points };
  }
}
