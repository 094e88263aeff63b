/** Delivery throughput: the maximum sustained deliveries/s with 1, 10 and 1,000 endpoints, via ingest and via Kafka. */
import { type CapacityResult, driveAtCapacity } from '../load.js';
import { cpuPerDelivery, cpuSummary, fixed, ratio, table } from '../report.js';
import { type Entry, eventType } from '../stack.js';
import { diskSnapshot, settledSnapshot, storageCost } from '../storage.js';
import type { BenchContext, ScenarioResult } from './context.js';

export async function throughputScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const { endpointCounts, warmupSeconds, throughputSeconds } = ctx.config.profile;
  const diskBefore = await diskSnapshot(stack);
  const cases: ({ entry: Entry | 'ingest (typed)'; endpoints: number; creationSeconds: number } & CapacityResult &
    ReturnType<typeof cpuPerDelivery>)[] = [];
  const cpu = (result: CapacityResult) => cpuPerDelivery(result.usage, result.deliveriesPerSecond, ctx.rawCpuMsPerRequest);
  for (const endpoints of endpointCounts) {
    const specs = Array.from({ length: endpoints }, (_, i) => ({ path: `/ok/tp${endpoints}/${i}` }));
    const { tenant, creationSeconds } = await stack.tenant(`throughput-${endpoints}`, specs);
    console.log(`  ${endpoints} endpoint(s) created in ${creationSeconds.toFixed(1)} s`);
    for (const entry of ['ingest', 'kafka'] as const) {
      console.log(`  ${entry}, ${endpoints} endpoint(s): ${warmupSeconds} s warm-up + ${throughputSeconds} s`);
      const result = await driveAtCapacity(stack, ctx.receiver, {
        entry,
        tenant,
        fanout: endpoints,
        warmupSeconds,
        measureSeconds: throughputSeconds,
      });
      cases.push({ entry, endpoints, creationSeconds, ...result, ...cpu(result) });
      if (entry === 'ingest' && endpoints === 10) ctx.maxDeliveriesPerSecond = result.deliveriesPerSecond;
    }
  }
  // Ingest catches its config view up (a broker round trip, shared by concurrent requests) whenever an event's
  // type is not in the tenant's catalog, which for a tenant without a catalog is every event: the same case for
  // a tenant that lists the type shows what that costs.
  const typedEndpoints = endpointCounts.includes(10) ? 10 : endpointCounts[0]!;
  {
    const specs = Array.from({ length: typedEndpoints }, (_, i) => ({ path: `/ok/typed/${i}` }));
    const { tenant, creationSeconds } = await stack.tenant('throughput-typed', specs);
    const created = await tenant.admin('POST', '/event-types', { name: eventType });
    if (created.status !== 201) throw new Error(`event type creation failed: ${created.status} ${JSON.stringify(created.body)}`);
    console.log(
      `  ingest, ${typedEndpoints} endpoint(s), tenant with the type in its catalog: ${warmupSeconds} s warm-up + ${throughputSeconds} s`,
    );
    const result = await driveAtCapacity(stack, ctx.receiver, {
      entry: 'ingest',
      tenant,
      fanout: typedEndpoints,
      warmupSeconds,
      measureSeconds: throughputSeconds,
    });
    cases.push({ entry: 'ingest (typed)', endpoints: typedEndpoints, creationSeconds, ...result, ...cpu(result) });
  }
  ctx.maxDeliveriesPerSecond ??= Math.max(...cases.map((c) => c.deliveriesPerSecond));
  const storage = storageCost(diskBefore, await settledSnapshot(stack));
  const raw = ctx.rawPerSecond ?? Number.NaN;
  const rows = cases.map((c) => [
    c.entry,
    String(c.endpoints),
    fixed(c.deliveriesPerSecond),
    ratio(c.deliveriesPerSecond, raw),
    fixed(c.eventsPerSecond, c.endpoints >= 1000 ? 1 : 0),
    String(c.deferred),
    String(c.refused),
    fixed(c.cpuMsPerDelivery ?? Number.NaN, 2),
    fixed(c.cpuPerDeliveryVsRaw ?? Number.NaN, 1),
    cpuSummary(c.usage),
  ]);
  const rss = cases
    .at(-1)!
    .usage.processes.map((p) => `${p.name} ${p.rssMaxMiB.toFixed(0)}`)
    .join(', ');
  const text = [
    `${throughputSeconds} s measured after ${warmupSeconds} s warm-up per case; closed loop with a window of outstanding deliveries`,
    `(min(max(1500, 3 x endpoints), 150 x endpoints)); endpoints created through the admin API: ${cases
      .filter((c) => c.entry === 'ingest')
      .map((c) => `${c.endpoints} in ${c.creationSeconds.toFixed(1)} s`)
      .join(', ')}`,
    '',
    table(
      [
        'entry',
        'endpoints',
        'deliveries/s',
        'vs raw',
        'events/s',
        'deferred',
        'refused',
        'CPU ms/delivery',
        'vs raw client',
        'CPU % of a core (* shared infra)',
      ],
      rows,
    ),
    '',
    'CPU ms/delivery: the five services plus Kafka and FerretDB per delivery; vs raw client: that over the raw client CPU per request.',
    '',
    `Peak RSS MiB (last case): ${rss}`,
    '',
    `Bytes on disk per 1,000 deliveries (${storage.deliveries} deliveries, all cases): Kafka ${
      storage.kafkaBytesPer1000Deliveries ?? `n/a (log dir ${storage.kafkaLogDir} not readable; set BENCH_KAFKA_LOG_DIR)`
    } (by topic ${JSON.stringify(storage.kafkaBytesPer1000ByTopic)}); MongoDB ${
      storage.mongoBytesPer1000Deliveries ?? 'n/a'
    } (per 1,000 of the ${storage.projected} attempts the projector folded by the end)`,
  ].join('\n');
  return { text, data: { warmupSeconds, throughputSeconds, cases, storage } };
}
