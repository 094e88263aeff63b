import type { ConfigView } from '@hookline/kafka';
import { errorResponses, jsonContent, validate, type OpenApiPaths } from '@hookline/service';
import { endpointScope, tenantScope, timeseriesWindows, type Store, type TimeseriesWindow } from '@hookline/store';
import { Router } from 'express';
import { z } from 'zod';
import { ownEndpoint } from './access.js';

export const timeseriesQuery = z.object({
  window: z.enum(Object.keys(timeseriesWindows) as [TimeseriesWindow, ...TimeseriesWindow[]]).default('24h'),
});

/** Delivered and failed attempts and latency over time, for the page's charts: one endpoint or the whole tenant. */
export function timeseriesRoutes(config: ConfigView, store: Store): Router {
  const router = Router();

  router.get('/webhooks/:id/timeseries', async (req, res) => {
    const { endpoint } = await ownEndpoint(config, req);
    const { window } = validate(timeseriesQuery, req.query, 'query');
    res.json(await store.timeseries.series(endpointScope(endpoint.id), window));
  });

  router.get('/timeseries', async (req, res) => {
    const key = await config.authenticate(req.headers.authorization);
    const { window } = validate(timeseriesQuery, req.query, 'query');
    res.json(await store.timeseries.series(tenantScope(key.tenantId), window));
  });

  return router;
}

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
const seriesResponse = { description: 'One point per bucket, oldest first (empty buckets as zeros)', content: jsonContent(series) };

export const timeseriesPaths: OpenApiPaths = {
  '/api/admin/webhooks/{id}/timeseries': {
    get: {
      tags: ['stats'],
      summary: "A webhook's delivered and failed attempts and latency over time (1h: per minute, 24h: per 15 min, 7d: per hour)",
      requestParams: { path: z.object({ id: z.string() }), query: timeseriesQuery },
      responses: { '200': seriesResponse, ...errorResponses('unauthorized', 'not_found', 'validation_failed') },
    },
  },
  '/api/admin/timeseries': {
    get: {
      tags: ['stats'],
      summary: "The tenant's delivered and failed attempts and latency over time",
      requestParams: { query: timeseriesQuery },
      responses: { '200': seriesResponse, ...errorResponses('unauthorized', 'validation_failed') },
    },
  },
};
