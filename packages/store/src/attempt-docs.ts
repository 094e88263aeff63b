import type { AttemptRecord } from '@hookline/core';
import type { OwnedDoc } from './owned-write.js';

/**
 * The documents the attempt read models store. They live apart from the classes that write them so that the
 * store, the stats fold, the charts and the feed can all name them without importing one another.
 */

/** Counters of one endpoint's attempts, as the admin API reads them (summed over the stored shares). */
export interface EndpointStatsDoc {
  _id: string; // endpoint id
  tenantId: string;
  attempts: number;
  succeeded: number;
  failed: number;
  totalLatencyMs: number;
  maxLatencyMs: number;
  lastAttemptAt: string;
  lastStatus: 'success' | 'failure';
  lastStatusCode: number | null;
  lastError: string | null;
  /** Failed attempts since the last success; drives auto-disable. */
  consecutiveFailures: number;
  /** Attempt counts per latency bucket, keyed by the bucket's upper bound in ms (`inf` for the last). */
  latencyBuckets?: Record<string, number>;
  /**
   * Only on documents of the first shape (one per endpoint, `$inc`-updated, no longer written): per
   * attempts-topic partition (`p<n>`), the highest record offset folded into these counters.
   */
  foldedOffsets?: Record<string, number>;
}

/**
 * One partition's share of an endpoint's stats (`_id` = `${endpointId}|p${partition}`), written only by the
 * projector instance that owns the partition. An endpoint's attempts share one partition, so it normally has one
 * share (beside a first-shape document from before); readers sum them (`mergeEndpointStats`).
 */
export interface PartitionStatsDoc extends Omit<EndpointStatsDoc, '_id' | 'foldedOffsets'>, OwnedDoc {
  endpointId: string;
}

/** An attempt as stored; `recordedAt` is when the projector wrote it (the tenant feed's order; absent on old rows). */
export type AttemptDoc = AttemptRecord & { _id: string; recordedAt?: string };
