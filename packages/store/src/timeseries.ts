import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { foldedOffsetMarks, type SourcedAttempt, sourcePosition } from './attempt-source.js';
import { latencyBucketOf, latencyPercentile } from './latency.js';

/**
 * Delivered/failed counts and latency buckets of one scope (an endpoint or a whole tenant) in one time bucket.
 * `_id` is `${scope}|${resolution}|${bucket start ISO}`, so a chart is one `_id` range read (ISO strings sort
 * by time) and every write is an upsert by `_id` with `$inc`: both are FerretDB-safe and need no other index.
 */
export interface TimeBucketDoc {
  _id: string;
  delivered?: number;
  failed?: number;
  totalMs?: number;
  /** Attempt counts per latency bucket, keyed by the bucket's upper bound in ms (`inf` for the last). */
  latency?: Record<string, number>;
  /** Highest `attempts` offset folded into this bucket, per partition (`p0`, `p1`, ...). */
  foldedOffsets?: Record<string, number>;
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

  constructor(db: Db) {
    this.buckets = db.collection<TimeBucketDoc>('timeseries');
  }

  /**
   * Folds attempts into their buckets: one `$inc` upsert per (scope, resolution, bucket), all in one unordered
   * bulk write. The projector passes the attempts it is about to fold into the stats, tagged with their topic
   * position; like the stats, each bucket remembers per partition the highest offset folded into it (raised in
   * the same update as its counters) and skips what it has seen, so a batch that comes again after a crash
   * between this write and the stats' is counted once here too.
   */
  async record(attempts: SourcedAttempt[]): Promise<void> {
    const byBucket = new Map<string, SourcedAttempt[]>();
    for (const a of attempts) {
      for (const scope of [endpointScope(a.endpointId), tenantScope(a.tenantId)]) {
        for (const resolution of ['m', 'h'] as const) {
          const id = `${scope}|${resolution}|${bucketStart(a.startedAt, resolution)}`;
          byBucket.set(id, [...(byBucket.get(id) ?? []), a]);
        }
      }
    }
    if (byBucket.size === 0) return;
    const folded = new Map<string, Record<string, number>>();
    if (attempts.some((a) => a.projectedFrom)) {
      const docs = await this.buckets.find({ _id: { $in: [...byBucket.keys()] } }, { projection: { foldedOffsets: 1 } }).toArray();
      for (const doc of docs) folded.set(doc._id, doc.foldedOffsets ?? {});
    }
    const operations: AnyBulkWriteOperation<TimeBucketDoc>[] = [];
    for (const [_id, list] of byBucket) {
      const marks = folded.get(_id) ?? {};
      const fresh = list.filter((a) => {
        const position = sourcePosition(a);
        return !position || position.offset > (marks[`p${position.partition}`] ?? -1);
      });
      if (fresh.length === 0) continue;
      const $inc: Record<string, number> = {};
      for (const a of fresh) {
        const outcome = a.outcome === 'success' ? 'delivered' : 'failed';
        const latency = `latency.${latencyBucketOf(a.durationMs)}`;
        $inc[outcome] = ($inc[outcome] ?? 0) + 1;
        $inc.totalMs = ($inc.totalMs ?? 0) + a.durationMs;
        $inc[latency] = ($inc[latency] ?? 0) + 1;
      }
      const $max = foldedOffsetMarks(fresh);
      operations.push({ updateOne: { filter: { _id }, update: Object.keys($max).length ? { $inc, $max } : { $inc }, upsert: true } });
    }
    if (operations.length) await this.buckets.bulkWrite(operations, { ordered: false });
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
      const at = Date.parse(doc._id.slice(prefix.length));
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
