/**
 * `pnpm bench`: measurements with a baseline taken in the same run. Prints a table of ratios against the raw
 * limit and writes the figures as JSON under bench/results/. Not part of the test suite.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { rawClient, senderClient, startReceiverProcess, type ClientResult } from './http-clients.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);

const receiver = await startReceiverProcess();
try {
  // Warm both paths (JIT, sockets) before measuring.
  await rawClient(receiver.url, 1_000, concurrency);
  await senderClient(receiver.url, 1_000, concurrency);
  const raw = await rawClient(receiver.url, seconds * 1000, concurrency);
  const sender = await senderClient(receiver.url, seconds * 1000, concurrency);
  const rows = [raw, sender];
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`\nHTTP client: ${seconds} s each, concurrency ${concurrency}, ~1 KB signed JSON body, receiver in its own process\n${machine}\n`);
  console.log(table(rows, raw));
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL(`./results/http-clients-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
  writeFileSync(file, JSON.stringify({ machine, seconds, concurrency, rows }, null, 2));
  console.log(`\nwritten to ${file.pathname}`);
} finally {
  receiver.stop();
}

function table(rows: ClientResult[], baseline: ClientResult): string {
  const header = ['client', 'requests', 'req/s', 'vs raw', 'p50 ms', 'p99 ms'];
  const lines = rows.map((r) => [r.name, String(r.requests), r.perSecond.toFixed(0), `${(r.perSecond / baseline.perSecond).toFixed(2)}x`, r.p50Ms.toFixed(2), r.p99Ms.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
