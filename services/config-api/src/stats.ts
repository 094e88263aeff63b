import type { EndpointRecord } from '@hookline/core';
import type { ConfigView } from '@hookline/kafka';
import { latencyPercentile, type EndpointStatsDoc, type Store } from '@hookline/store';
import { Router } from 'express';
import { ownEndpoint } from './access.js';

const DAY_MS = 24 * 3600 * 1000;

/** Counters of one endpoint or of a whole tenant (summed), as the admin API and the page show them. */
function summarize(docs: EndpointStatsDoc[], failuresLast24h: number) {
  const attempts = docs.reduce((n, d) => n + d.attempts, 0);
  const succeeded = docs.reduce((n, d) => n + d.succeeded, 0);
  const totalLatencyMs = docs.reduce((n, d) => n + d.totalLatencyMs, 0);
  const buckets: Record<string, number> = {};
  for (const doc of docs) for (const [bound, n] of Object.entries(doc.latencyBuckets ?? {})) buckets[bound] = (buckets[bound] ?? 0) + n;
  const last = docs.reduce<EndpointStatsDoc | undefined>((a, d) => (!a || d.lastAttemptAt > a.lastAttemptAt ? d : a), undefined);
  const p95 = latencyPercentile(buckets, 0.95);
  return {
    totalDeliveries: attempts,
    succeeded,
    failed: attempts - succeeded,
    successRate: attempts === 0 ? null : succeeded / attempts,
    averageResponseTimeMs: attempts === 0 ? null : Math.round(totalLatencyMs / attempts),
    /** Upper bound of the latency bucket holding the 95th percentile (buckets: 10 ms … 30 s). */
    p95ResponseTimeMs: p95 === Number.POSITIVE_INFINITY ? '>30000' : p95,
    failuresLast24h,
    lastDelivery: last ? { at: last.lastAttemptAt, status: last.lastStatus, statusCode: last.lastStatusCode, error: last.lastError } : null,
  };
}

function endpointState(endpoint: EndpointRecord) {
  return {
    state: endpoint.isActive ? 'active' : 'disabled',
    ...(endpoint.disabledReason ? { disabledReason: endpoint.disabledReason, disabledAt: endpoint.disabledAt } : {}),
  };
}

/** Stats of one endpoint and of the caller's whole tenant. */
export function statsRoutes(config: ConfigView, store: Store): Router {
  const router = Router();

  router.get('/webhooks/:id/stats', async (req, res) => {
    const { endpoint } = await ownEndpoint(config, req);
    const since = new Date(Date.now() - DAY_MS);
    const [stats, failures] = await Promise.all([store.endpointStats(endpoint.id), store.failuresSince({ endpointId: endpoint.id }, since)]);
    res.json({
      webhookId: endpoint.id,
      ...endpointState(endpoint),
      consecutiveFailures: stats?.consecutiveFailures ?? 0,
      ...summarize(stats ? [stats] : [], failures),
    });
  });

  // Every endpoint's counters in one answer (the page's table): one read of the tenant's stats documents instead
  // of a request per endpoint. Failures in the last 24 h are left out here; they cost a count per endpoint.
  router.get('/stats/webhooks', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    const docs = new Map((await store.tenantStats(key.tenantId)).map((d) => [d._id, d]));
    res.json({
      data: [...config.state.endpointsOf(key.tenantId)].map((endpoint) => {
        const stats = docs.get(endpoint.id);
        const { failuresLast24h: _omitted, ...summary } = summarize(stats ? [stats] : [], 0);
        return { webhookId: endpoint.id, ...endpointState(endpoint), consecutiveFailures: stats?.consecutiveFailures ?? 0, ...summary };
      }),
    });
  });

  router.get('/stats', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    const since = new Date(Date.now() - DAY_MS);
    const endpoints = [...config.state.endpointsOf(key.tenantId)];
    const [docs, failures] = await Promise.all([store.tenantStats(key.tenantId), store.failuresSince({ tenantId: key.tenantId }, since)]);
    const live = new Set(endpoints.map((e) => e.id));
    res.json({
      tenantId: key.tenantId,
      endpoints: { total: endpoints.length, active: endpoints.filter((e) => e.isActive).length, disabled: endpoints.filter((e) => !e.isActive).length },
      ...summarize(docs.filter((d) => live.has(d._id)), failures),
    });
  });

  return router;
}
