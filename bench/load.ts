/**
 * Two ways of loading Hookline, both measured at the receiver:
 * - at capacity: closed loop with a window of outstanding deliveries (accepted events x endpoints minus
 *   deliveries received), so the pipeline stays full without an ever-growing backlog; the receiver's rate over
 *   the measured window is the maximum sustained rate;
 * - paced: open loop at a fixed event rate, then every delivery's accept-to-arrival latency.
 */
import type { TestTenant } from '@hookline/testkit';
import { benchProcesses, type UsageReport, UsageSampler } from './procstats.js';
import type { BenchReceiver } from './receiver.js';
import type { BenchStack, Entry } from './stack.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CapacityOptions {
  entry: Entry;
  tenant: TestTenant;
  /** Deliveries per event (healthy endpoints subscribed). */
  fanout: number;
  warmupSeconds: number;
  measureSeconds: number;
}

export interface CapacityResult {
  deliveriesPerSecond: number;
  eventsPerSecond: number;
  deliveries: number;
  window: number;
  usage: UsageReport;
  /** Tasks the delivery service deferred (endpoint backlog full) during the window. */
  deferred: number;
  /** Events ingest refused (503/429) during the case. */
  refused: number;
}

export async function driveAtCapacity(stack: BenchStack, receiver: BenchReceiver, options: CapacityOptions): Promise<CapacityResult> {
  const { entry, tenant, fanout } = options;
  await receiver.reset();
  const refusedBefore = stack.refused;
  // Enough in flight to keep every stage busy; not so much that one endpoint's queue passes its backlog limit
  // (DELIVERY_ENDPOINT_BACKLOG, 200), past which tasks are deferred rather than delivered.
  const window = Math.min(Math.max(1_500, 3 * fanout), 150 * fanout);
  const batch = entry === 'ingest' ? 1 : Math.max(1, Math.min(100, Math.floor(window / fanout / 8)));
  const submitters = entry === 'ingest' ? 24 : 4;
  let submitted = 0;
  let running = true;
  let failure: unknown;
  const room = () => submitted * fanout - receiver.counts.ok + batch * fanout <= window;
  const waitForRoom = () =>
    new Promise<void>((resolve) => {
      if (room() || !running) return resolve();
      const off = receiver.onProgress(() => {
        if (!room() && running) return;
        off();
        resolve();
      });
    });
  const loops = Array.from({ length: submitters }, async () => {
    while (running) {
      await waitForRoom();
      if (!running) break;
      submitted += batch;
      try {
        const accepted = await stack.submit(entry, tenant, batch);
        submitted -= batch - accepted;
        if (accepted < batch) await sleep(100); // refused (503): back off a little, as a client would
      } catch (error) {
        failure ??= error;
        running = false;
      }
    }
  });

  await sleep(options.warmupSeconds * 1000);
  const deferredBefore = await deferredCount(stack);
  const okBefore = receiver.counts.ok;
  const sampler = UsageSampler.start(benchProcesses());
  await sleep(options.measureSeconds * 1000);
  const okAfter = receiver.counts.ok;
  const usage = sampler.stop();
  const deferred = (await deferredCount(stack)) - deferredBefore;
  running = false;
  await Promise.all(loops);
  if (failure) throw failure;
  // Let the pipeline drain so the next case starts empty.
  await receiver.waitForOk(submitted * fanout, 120_000).catch((error: Error) => console.warn(`  (drain: ${error.message})`));
  const deliveries = okAfter - okBefore;
  return {
    deliveriesPerSecond: deliveries / usage.seconds,
    eventsPerSecond: deliveries / fanout / usage.seconds,
    deliveries,
    window,
    usage,
    deferred,
    refused: stack.refused - refusedBefore,
  };
}

async function deferredCount(stack: BenchStack): Promise<number> {
  try {
    const text = await (await fetch(`${stack.hookline.serviceUrl('delivery')}/metrics`)).text();
    return Number(/^hookline_deferred_total(?:\{[^}]*\})? (\S+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return Number.NaN;
  }
}

export interface PacedOptions {
  entry: Entry;
  tenant: TestTenant;
  /** Healthy deliveries each event produces (what the receiver's 200s are counted against). */
  fanout: number;
  eventsPerSecond: number;
  seconds: number;
}

export interface LatencyFigures {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface PacedResult {
  events: number;
  deliveries: number;
  /** Deliveries of accepted events that had not arrived when the bench stopped waiting. */
  missing: number;
  /** Events ingest refused (503/429): not accepted, so no delivery is expected. */
  refused: number;
  latencyMs: LatencyFigures;
  /**
   * The same split at the `deliveries` topic: accepted -> fanout wrote the event's first task (ingest, the
   * `events` hop, fanout), and that task -> delivered (the `deliveries` hop, the delivery service, the request).
   * Task times are whole milliseconds from the broker's record timestamps. `sentToDelivered` counts from the POST
   * (or produce) being sent, so it includes the client's wait for the 202 that `latencyMs` starts after.
   */
  hopsMs: { acceptedToTask: LatencyFigures; taskToDelivered: LatencyFigures; sentToDelivered: LatencyFigures };
  usage: UsageReport;
  /** Tasks the delivery service deferred (endpoint backlog full) during the phase. */
  deferred: number;
}

/** Sends events open loop at a fixed rate (a tick every 10 ms sends what is due), then waits for every delivery. */
export async function drivePaced(stack: BenchStack, receiver: BenchReceiver, options: PacedOptions): Promise<PacedResult> {
  await receiver.reset();
  const firstSeq = stack.seqCount;
  const total = Math.max(1, Math.round(options.eventsPerSecond * options.seconds));
  const deferredBefore = await deferredCount(stack);
  const sampler = UsageSampler.start(benchProcesses());
  const started = performance.now();
  const inFlight: Promise<number>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.eventsPerSecond) + 1);
    if (due > sent) {
      // Kafka-native producers batch what is due; ingest gets one request per event.
      inFlight.push(
        options.entry === 'kafka' ? stack.produceEvents(options.tenant, due - sent) : stack.postEvents(options.tenant, due - sent),
      );
      sent = due;
    }
    await sleep(10);
  }
  const accepted = (await Promise.all(inFlight)).reduce((a, b) => a + b, 0);
  const expected = accepted * options.fanout;
  let missing = 0;
  await receiver.waitForOk(expected, 60_000).catch(() => (missing = expected - receiver.counts.ok));
  const usage = sampler.stop();
  const deferred = (await deferredCount(stack)) - deferredBefore;
  const { seqs, times } = await receiver.collect();
  const taskTimes = await stack.taskTimes(Math.floor(performance.timeOrigin + started) - 1_000);
  const latencies: number[] = [];
  const acceptedToTask: number[] = [];
  const taskToDelivered: number[] = [];
  const sentToDelivered: number[] = [];
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    const accepted = stack.acceptedAt[seq];
    if (seq < firstSeq || accepted === undefined) continue;
    latencies.push(times[i]! - accepted);
    sentToDelivered.push(times[i]! - stack.sentAt[seq]!);
    const task = taskTimes.get(seq);
    if (task === undefined) continue;
    acceptedToTask.push(task - accepted);
    taskToDelivered.push(times[i]! - task);
  }
  return {
    events: total,
    deliveries: latencies.length,
    missing,
    refused: total - accepted,
    latencyMs: percentiles(latencies),
    hopsMs: {
      acceptedToTask: percentiles(acceptedToTask),
      taskToDelivered: percentiles(taskToDelivered),
      sentToDelivered: percentiles(sentToDelivered),
    },
    usage,
    deferred,
  };
}

export function percentiles(values: number[]): LatencyFigures {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : Number.NaN);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN };
}
