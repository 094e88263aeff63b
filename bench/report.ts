/** Tables for the terminal (Markdown, so they paste into notes as they are) and the machine description. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { UsageReport } from './procstats.js';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
export const ratio = (n: number, base: number) => (Number.isFinite(n / base) ? `${(n / base).toFixed(2)}x` : '-');

/** "delivery 95%, fanout 30%, ..." for the processes that used a noticeable share of a core. */
export function cpuSummary(usage: UsageReport): string {
  const parts = usage.processes
    .filter((p) => p.cpuPercent >= 1)
    .map((p) => `${p.name.replace(' (shared)', '*').replace(' (load generator)', '')} ${p.cpuPercent.toFixed(0)}`);
  return `${parts.join(', ')}; machine ${usage.machineCpuPercent.toFixed(0)}`;
}

/** Processes that do the delivering: the five services and the shared Kafka and FerretDB (not the bench, receiver or registry). */
const stackProcess = (name: string) => !['bench (load generator)', 'receiver', 'registry (shared)'].includes(name);

/**
 * CPU milliseconds the stack spent per delivery over a window (services plus Kafka and FerretDB), and as a multiple
 * of what the raw client spends per request: the figure that compares across machines and with other servers.
 */
export function cpuPerDelivery(usage: UsageReport, deliveriesPerSecond: number, rawCpuMsPerRequest: number | undefined) {
  const coreShare = usage.processes.filter((p) => stackProcess(p.name)).reduce((sum, p) => sum + p.cpuPercent / 100, 0);
  const cpuMsPerDelivery = deliveriesPerSecond > 0 ? (coreShare * 1000) / deliveriesPerSecond : Number.NaN;
  const cpuPerDeliveryVsRaw = rawCpuMsPerRequest ? cpuMsPerDelivery / rawCpuMsPerRequest : Number.NaN;
  return { cpuMsPerDelivery: round3(cpuMsPerDelivery), cpuPerDeliveryVsRaw: round3(cpuPerDeliveryVsRaw) };
}

const round3 = (n: number) => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : null);

export function machine() {
  const version = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .trim()
        .split('\n')[0]!;
    } catch {
      return 'unknown';
    }
  };
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    node: process.version,
    kernel: os.release(),
    git: version('git', ['rev-parse', '--short', 'HEAD']),
  };
}
