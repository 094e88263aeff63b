import type { EndpointRecord } from '@hookline/core';
import { type EndpointStatsDoc, latencyPercentile } from '@hookline/store';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { idParams, list } from './schemas.js';

const DAY_MS = 24 * 3600 * 1000;

const statsSummary = {
  totalDeliveries: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  successRate: z.number().nullable(),
  averageResponseTimeMs: z.number().nullable(),
  p95ResponseTimeMs: z
    .union([z.number(), z.literal('>30000')])
    .nullable()
    .describe('Upper bound of the latency bucket holding the 95th percentile; null before the first attempt.'),
  failuresLast24h: z.number().int(),
  lastDelivery: z
    .object({
      at: z.string(),
      status: z.enum(['success', 'failure']),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
};
const endpointStateFields = {
  webhookId: z.string(),
  state: z.enum(['active', 'disabled']),
  disabledReason: z.string().optional(),
  disabledAt: z.string().optional(),
  consecutiveFailures: z.number().int(),
};
const circuitState = z.enum(['closed', 'open', 'half-open']);
const circuitTransition = z.object({
  from: circuitState,
  to: circuitState,
  at: z.string(),
  reason: z.string(),
  failed: z.number().int().optional().describe('Failed attempts in the window when it opened'),
  attempts: z.number().int().optional().describe('Attempts in the window when it opened'),
  until: z.string().optional().describe('When the open circuit lets its next probe through'),
});
/** Delivery's view of the endpoint (circuit breaker, strict ordering), as the projector last folded it. */
const deliveryStateFields = {
  circuit: z
    .object({
      state: circuitState,
      since: z.string().nullable().describe('When it entered this state; null when it never changed'),
      until: z.string().optional().describe('Open only: when the next probe is let through'),
      reason: z.string().optional(),
      history: z.array(circuitTransition).describe('Latest transitions first (at most 50, kept as long as the attempt log)'),
    })
    .describe('The circuit breaker (closed when the endpoint has none)'),
  ordering: z
    .object({
      blocked: z.boolean().describe('A strictly ordered lane waits for its failing head'),
      blockedSince: z.string().nullable().describe('When the longest-blocked lane blocked'),
      blockedLanes: z.number().int(),
      lanes: z
        .array(
          z.object({ key: z.string().nullable().describe("The ordering key's value (JSON); null: the whole endpoint"), since: z.string() }),
        )
        .describe('The longest-blocked lanes (at most 5)'),
    })
    .describe('Strict ordering (`ordering: "strict"`): whether deliveries wait behind a failing one'),
};
const webhookStats = z.object({ ...endpointStateFields, ...statsSummary, ...deliveryStateFields });
const webhookListStats = z.object({ ...endpointStateFields, ...statsSummary }).omit({ failuresLast24h: true });
const tenantStats = z.object({
  tenantId: z.string(),
  endpoints: z.object({ total: z.number().int(), active: z.number().int(), disabled: z.number().int() }),
  ...statsSummary,
});
type Summary = z.input<z.ZodObject<typeof statsSummary>>;

/** Counters of one endpoint or of a whole tenant (summed), as the admin API and the page show them. */
function summarize(docs: EndpointStatsDoc[], failuresLast24h: number): Summary {
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
    p95ResponseTimeMs: p95 === Number.POSITIVE_INFINITY ? '>30000' : p95,
    failuresLast24h,
    lastDelivery: last ? { at: last.lastAttemptAt, status: last.lastStatus, statusCode: last.lastStatusCode, error: last.lastError } : null,
  };
}

function endpointState(endpoint: EndpointRecord) {
  return {
    state: endpoint.isActive ? ('active' as const) : ('disabled' as const),
    ...(endpoint.disabledReason ? { disabledReason: endpoint.disabledReason, disabledAt: endpoint.disabledAt } : {}),
  };
}

/** Stats of one endpoint and of the caller's whole tenant. */
export function statsRoutes({ config, store }: AdminDeps) {
  return [
    route({
      method: 'get',
      path: '/webhooks/:id/stats',
      tags: ['stats'],
      summary: "A webhook's delivery stats",
      auth: 'apiKey',
      owns: 'endpoint',
      params: idParams,
      responses: { 200: { description: 'Stats', schema: webhookStats } },
      async handler({ owned: endpoint }) {
        const since = new Date(Date.now() - DAY_MS);
        const [stats, failures, delivery] = await Promise.all([
          store.endpointStats(endpoint.id),
          store.failuresSince({ endpointId: endpoint.id }, since),
          store.health.endpoint(endpoint.id),
        ]);
        return {
          status: 200,
          body: {
            webhookId: endpoint.id,
            ...endpointState(endpoint),
            consecutiveFailures: stats?.consecutiveFailures ?? 0,
            ...summarize(stats ? [stats] : [], failures),
            ...delivery,
          },
        };
      },
    }),
    // Every endpoint's counters in one answer (the page's table): one read of the tenant's stats documents instead
    // of a request per endpoint. Failures in the last 24 h are left out here; they cost a count per endpoint.
    route({
      method: 'get',
      path: '/stats/webhooks',
      tags: ['stats'],
      summary: "Every webhook's delivery stats in one answer (without failuresLast24h)",
      auth: 'apiKey',
      responses: { 200: { description: 'Stats per webhook', schema: list(webhookListStats) } },
      async handler({ caller }) {
        const docs = new Map((await store.tenantStats(caller.tenantId)).map((d) => [d._id, d]));
        return {
          status: 200,
          body: {
            data: [...config.state.endpointsOf(caller.tenantId)].map((endpoint) => {
              const stats = docs.get(endpoint.id);
              const { failuresLast24h: _omitted, ...summary } = summarize(stats ? [stats] : [], 0);
              return {
                webhookId: endpoint.id,
                ...endpointState(endpoint),
                consecutiveFailures: stats?.consecutiveFailures ?? 0,
                ...summary,
              };
            }),
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/stats',
      tags: ['stats'],
      summary: "The tenant's delivery stats",
      auth: 'apiKey',
      responses: { 200: { description: 'Stats', schema: tenantStats } },
      async handler({ caller }) {
        const since = new Date(Date.now() - DAY_MS);
        const endpoints = [...config.state.endpointsOf(caller.tenantId)];
        const [docs, failures] = await Promise.all([
          store.tenantStats(caller.tenantId),
          store.failuresSince({ tenantId: caller.tenantId }, since),
        ]);
        const live = new Set(endpoints.map((e) => e.id));
        return {
          status: 200,
          body: {
            tenantId: caller.tenantId,
            endpoints: {
              total: endpoints.length,
              active: endpoints.filter((e) => e.isActive).length,
              disabled: endpoints.filter((e) => !e.isActive).length,
            },
            ...summarize(
              docs.filter((d) => live.has(d._id)),
              failures,
            ),
          },
        };
      },
    }),
  ];
}
