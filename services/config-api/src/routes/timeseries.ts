import { endpointScope, type TimeseriesWindow, tenantScope, timeseriesWindows } from '@hookline/store';
import { z } from 'zod';
import { route } from '../access.js';
import type { AdminDeps } from '../deps.js';
import { idParams } from './schemas.js';

const timeseriesQuery = z.object({
  window: z.enum(Object.keys(timeseriesWindows) as [TimeseriesWindow, ...TimeseriesWindow[]]).default('24h'),
});

const series = z
  .object({
    bucketSeconds: z.number().int(),
    points: z.array(
      z.object({
        t: z.string().describe('Bucket start (ISO-8601)'),
        delivered: z.number().int(),
        failed: z.number().int(),
        avgMs: z.number(),
        p95Ms: z.number().describe('Upper bound of the latency bucket holding the 95th percentile'),
      }),
    ),
  })
  .meta({ id: 'Timeseries' });
const seriesResponse = { description: 'One point per bucket, oldest first (empty buckets as zeros)', schema: series };

/** Delivered and failed attempts and latency over time, for the page's charts: one endpoint or the whole tenant. */
export function timeseriesRoutes({ store }: AdminDeps) {
  return [
    route({
      method: 'get',
      path: '/webhooks/:id/timeseries',
      tags: ['stats'],
      summary: "A webhook's delivered and failed attempts and latency over time (1h: per minute, 24h: per 15 min, 7d: per hour)",
      auth: 'apiKey',
      owns: 'endpoint',
      params: idParams,
      query: timeseriesQuery,
      responses: { 200: seriesResponse },
      async handler({ owned: endpoint, query: { window } }) {
        return { status: 200, body: await store.timeseries.series(endpointScope(endpoint.id), window) };
      },
    }),
    route({
      method: 'get',
      path: '/timeseries',
      tags: ['stats'],
      summary: "The tenant's delivered and failed attempts and latency over time",
      auth: 'apiKey',
      query: timeseriesQuery,
      responses: { 200: seriesResponse },
      async handler({ caller, query: { window } }) {
        return { status: 200, body: await store.timeseries.series(tenantScope(caller.tenantId), window) };
      },
    }),
  ];
}
