/**
 * Bytes on disk a run of deliveries costs: the bench namespace's topic directories in the broker's log dir
 * (allocated blocks, as `du` counts them: Kafka's index files are sparse) and its MongoDB database, measured
 * before and after, per 1,000 deliveries. For FerretDB (SQLite) the database's files are measured (dbStats scans
 * the whole file and takes minutes on a large one); for another server, dbStats `totalSize` (data and indexes).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@hookline/testkit';
import type { BenchStack } from './stack.js';

export interface DiskSnapshot {
  /** null when the broker's log dir is not readable here (a broker in a container or on another host). */
  kafkaBytes: number | null;
  kafkaByTopic: Record<string, number>;
  mongoBytes: number | null;
  /** Delivery attempts made so far (delivery's `hookline_deliveries_total`) and folded by the projector. */
  deliveries: number;
  projected: number;
}

export interface StorageCost {
  deliveries: number;
  /** Attempts the projector folded meanwhile (it may trail delivery): what the MongoDB figure is per. */
  projected: number;
  kafkaBytesPer1000Deliveries: number | null;
  mongoBytesPer1000Deliveries: number | null;
  kafkaLogDir: string;
  kafkaBytesPer1000ByTopic: Record<string, number>;
}

const infraDir = process.env.HOOKLINE_DATA ?? join(repoRoot, '.hookline');
/** Where the broker keeps its partitions: BENCH_KAFKA_LOG_DIR, else the project's infrastructure directory. */
export const kafkaLogDir = process.env.BENCH_KAFKA_LOG_DIR ?? join(infraDir, 'kafka', 'data');
/** Where FerretDB keeps its SQLite files: BENCH_MONGO_DATA_DIR, else the project's infrastructure directory. */
const mongoDataDir = process.env.BENCH_MONGO_DATA_DIR ?? join(infraDir, 'mongo', 'data');

async function allocatedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).blocks * 512;
  return total;
}

async function metricSum(url: string, name: string, label?: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (label && !line.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function diskSnapshot(stack: BenchStack): Promise<DiskSnapshot> {
  const prefix = `${stack.hookline.namespace}.`;
  const kafkaByTopic: Record<string, number> = {};
  let kafkaBytes: number | null = 0;
  try {
    for (const dir of await readdir(kafkaLogDir)) {
      if (!dir.startsWith(prefix)) continue;
      const topic = dir.slice(prefix.length).replace(/-\d+$/, '');
      kafkaByTopic[topic] = (kafkaByTopic[topic] ?? 0) + (await allocatedBytes(join(kafkaLogDir, dir)));
    }
    kafkaBytes = Object.values(kafkaByTopic).reduce((a, b) => a + b, 0);
    if (Object.keys(kafkaByTopic).length === 0) kafkaBytes = null;
  } catch {
    kafkaBytes = null;
  }
  return {
    kafkaBytes,
    kafkaByTopic,
    mongoBytes: await mongoBytes(stack),
    deliveries: await metricSum(stack.hookline.serviceUrl('delivery'), 'hookline_deliveries_total'),
    projected: await metricSum(stack.hookline.serviceUrl('projector'), 'hookline_projected_attempts_total', 'result="new"'),
  };
}

async function mongoBytes(stack: BenchStack): Promise<number | null> {
  const name = stack.hookline.namespace;
  const files = (await readdir(mongoDataDir).catch(() => [] as string[])).filter(
    (f) => f === `${name}.sqlite` || f === `${name}.sqlite-wal`,
  );
  if (files.length) {
    let total = 0;
    for (const file of files) total += (await stat(join(mongoDataDir, file))).blocks * 512;
    return total;
  }
  try {
    const { totalSize } = await (await stack.store()).db.command({ dbStats: 1 }, { timeoutMS: 30_000 });
    return Number(totalSize);
  } catch {
    return null;
  }
}

/** Waits (up to `timeoutMs`) until the projector has folded every attempt delivery made, then takes a snapshot. */
export async function settledSnapshot(stack: BenchStack, timeoutMs = 60_000): Promise<DiskSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await diskSnapshot(stack);
    if (snapshot.projected >= snapshot.deliveries || Date.now() > deadline) return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function storageCost(before: DiskSnapshot, after: DiskSnapshot): StorageCost {
  const deliveries = after.deliveries - before.deliveries;
  const projected = after.projected - before.projected;
  const per1000 = (bytes: number, count = deliveries) => Math.round((bytes / Math.max(1, count)) * 1000);
  const delta = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.keys(b)
        .map((k) => [k, per1000((b[k] ?? 0) - (a[k] ?? 0))])
        .filter(([, v]) => v !== 0),
    );
  return {
    deliveries,
    projected,
    kafkaBytesPer1000Deliveries:
      before.kafkaBytes === null || after.kafkaBytes === null ? null : per1000(after.kafkaBytes - before.kafkaBytes),
    mongoBytesPer1000Deliveries:
      before.mongoBytes === null || after.mongoBytes === null ? null : per1000(after.mongoBytes - before.mongoBytes, projected),
    kafkaLogDir,
    kafkaBytesPer1000ByTopic: delta(before.kafkaByTopic, after.kafkaByTopic),
  };
}
