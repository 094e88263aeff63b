import type { AttemptRecord } from '@hookline/core';

/**
 * The documents the attempt read models store. They live apart from the classes that write them so that the
 * store, the stats fold, the charts and the feed can all name them without importing one another.
 */

/** Per-endpoint delivery statistics, maintained by the projector from the `attempts` topic. */
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
  /** Per attempts-topic partition (`p<n>`), the highest record offset folded into these counters (AttemptFold). */
  foldedOffsets?: Record<string, number>;
}

/** An attempt as stored; `recordedAt` is when the projector wrote it (the tenant feed's order; absent on old rows). */
export type AttemptDoc = AttemptRecord & { _id: string; recordedAt?: string };
