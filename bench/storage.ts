/**
 * Bytes on disk a run of deliveries costs: the bench namespace's topic directories in the broker's log dir
 * (allocated blocks, as `du` counts them: Kafka's index files are sparse) and its MongoDB database (dbStats and
 * collStats `totalSize`: data plus indexes), measured before and after, per 1,000 deliveries.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@hookline/testkit';
import type { BenchStack } from './stack.js';

export interface DiskSnapshot {
  /** null when the broker's log dir is not readable here (a broker in a container or on another host). */
  kafkaBytes: number | null;
  kafkaByTopic: Record<string, number>;
  mongoBytes: number;
  mongoByCollection: Record<string, number>;
  /** Delivery attempts made so far (delivery's `hookline_deliveries_total`) and folded by the projector. */
  deliveries: number;
  projected: number;
}

export interface StorageCost {
  deliveries: number;
  kafkaBytesPer1000Deliveries: number | null;
  mongoBytesPer1000Deliveries: number;
  kafkaLogDir: string;
  kafkaBytesPer1000ByTopic: Record<string, number>;
  mongoBytesPer1000ByCollection: Record<string, number>;
}

/** Where the broker keeps its partitions: BENCH_KAFKA_LOG_DIR, else the project's infrastructure directory. */
export const kafkaLogDir =
  process.env.BENCH_KAFKA_LOG_DIR ?? join(process.env.HOOKLINE_DATA ?? join(repoRoot, '.hookline'), 'kafka', 'data');

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
  const db = (await stack.store()).db;
  const mongoByCollection: Record<string, number> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    mongoByCollection[name] = Number((await db.command({ collStats: name })).totalSize ?? 0);
  }
  const { totalSize } = await db.command({ dbStats: 1 });
  return {
    kafkaBytes,
    kafkaByTopic,
    mongoBytes: Number(totalSize ?? 0),
    mongoByCollection,
    deliveries: await metricSum(stack.hookline.serviceUrl('delivery'), 'hookline_deliveries_total'),
    projected: await metricSum(stack.hookline.serviceUrl('projector'), 'hookline_projected_attempts_total', 'result="new"'),
  };
}

/** Waits (up to `timeoutMs`) until the projector has folded every attempt delivery made, then takes a snapshot. */
export async function settledSnapshot(stack: BenchStack, timeoutMs = 120_000): Promise<DiskSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await diskSnapshot(stack);
    if (snapshot.projected >= snapshot.deliveries || Date.now() > deadline) return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function storageCost(before: DiskSnapshot, after: DiskSnapshot): StorageCost {
  const deliveries = after.deliveries - before.deliveries;
  const per1000 = (bytes: number) => Math.round((bytes / Math.max(1, deliveries)) * 1000);
  const delta = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.keys(b)
        .map((k) => [k, per1000((b[k] ?? 0) - (a[k] ?? 0))])
        .filter(([, v]) => v !== 0),
    );
  return {
    deliveries,
    kafkaBytesPer1000Deliveries:
      before.kafkaBytes === null || after.kafkaBytes === null ? null : per1000(after.kafkaBytes - before.kafkaBytes),
    mongoBytesPer1000Deliveries: per1000(after.mongoBytes - before.mongoBytes),
    kafkaLogDir,
    kafkaBytesPer1000ByTopic: delta(before.kafkaByTopic, after.kafkaByTopic),
    mongoBytesPer1000ByCollection: delta(before.mongoByCollection, after.mongoByCollection),
  };
}
