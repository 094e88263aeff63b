/**
 * CPU and memory of the processes taking part, from /proc (Linux): each Hookline service, the receiver, the
 * bench itself, the shared infrastructure (whose figures include other users of it), and the whole machine, so
 * a run can say where the cores went and how busy the machine was with anything else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@hookline/testkit';

const ticksPerSecond = 100; // USER_HZ (`getconf CLK_TCK`), 100 on every Linux we run on

export interface ProcessRef {
  name: string;
  pid: number;
}

export interface ProcessUsage {
  name: string;
  /** Share of one core over the window, in percent (200 = both cores of a 2-core machine). */
  cpuPercent: number;
  rssStartMiB: number;
  rssEndMiB: number;
  rssMaxMiB: number;
}

export interface UsageReport {
  seconds: number;
  processes: ProcessUsage[];
  /** Busy share of all cores of the machine over the window, in percent of one core. */
  machineCpuPercent: number;
  /** RSS samples per process name (MiB), e.g. for a soak's trend. */
  rssSamples: Record<string, number[]>;
}

/** This process's children that are Hookline services or the bench receiver, the bench itself, and the infra. */
export function benchProcesses(): ProcessRef[] {
  const refs: ProcessRef[] = [{ name: 'bench (load generator)', pid: process.pid }];
  for (const pid of childPids(process.pid)) {
    const cmdline = readText(`/proc/${pid}/cmdline`).split('\0').join(' ');
    const service = /services\/([a-z-]+)\/(?:src\/main\.ts|dist\/main\.js)/.exec(cmdline)?.[1];
    if (service) refs.push({ name: service, pid });
    else if (cmdline.includes('receiver-process.ts')) refs.push({ name: 'receiver', pid });
  }
  for (const [file, name] of [
    ['kafka.pid', 'kafka (shared)'],
    ['mongo.pid', 'ferretdb (shared)'],
    ['registry.pid', 'registry (shared)'],
  ] as const) {
    const pid = Number(readText(join(repoRoot, '.hookline', 'pids', file)).trim());
    if (pid > 0 && readText(`/proc/${pid}/stat`)) refs.push({ name, pid });
  }
  return refs;
}

function childPids(pid: number): number[] {
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((task) => readText(`/proc/${pid}/task/${task}/children`).split(/\s+/).filter(Boolean).map(Number));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** User + system CPU ticks of a process (fields 14 and 15 of /proc/<pid>/stat, counted after the command). */
function cpuTicks(pid: number): number {
  const stat = readText(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** User + system CPU time of a process so far, ms (the probes' reading of a server's cost). */
export function processCpuMs(pid: number): number {
  return (cpuTicks(pid) / ticksPerSecond) * 1000;
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readText(`/proc/${pid}/status`))?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

function machineTicks(): { busy: number; total: number } {
  const values = readText('/proc/stat').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** Samples from `start()` to `stop()`: CPU as the difference of counters, RSS every `intervalMs`. */
export class UsageSampler {
  private readonly started = performance.now();
  private readonly startTicks: Map<number, number>;
  private readonly startMachine = machineTicks();
  private readonly rss = new Map<number, { start: number; max: number; samples: number[] }>();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly refs: ProcessRef[],
    intervalMs: number,
  ) {
    this.startTicks = new Map(refs.map((r) => [r.pid, cpuTicks(r.pid)]));
    for (const r of refs) {
      const now = rssMiB(r.pid);
      this.rss.set(r.pid, { start: now, max: now, samples: [now] });
    }
    this.timer = setInterval(() => this.sampleRss(), intervalMs);
  }

  static start(refs: ProcessRef[], intervalMs = 1_000): UsageSampler {
    return new UsageSampler(refs, intervalMs);
  }

  stop(): UsageReport {
    clearInterval(this.timer);
    this.sampleRss();
    const seconds = (performance.now() - this.started) / 1000;
    const machine = machineTicks();
    const processes = this.refs.map((r) => {
      const rss = this.rss.get(r.pid)!;
      return {
        name: r.name,
        cpuPercent: ((cpuTicks(r.pid) - this.startTicks.get(r.pid)!) / ticksPerSecond / seconds) * 100,
        rssStartMiB: rss.start,
        rssEndMiB: rss.samples.at(-1)!,
        rssMaxMiB: rss.max,
      };
    });
    const busy = machine.busy - this.startMachine.busy;
    const total = machine.total - this.startMachine.total;
    const cores = total > 0 ? (busy / total) * os.cpus().length * 100 : 0;
    const rssSamples = Object.fromEntries(this.refs.map((r) => [r.name, this.rss.get(r.pid)!.samples.map((x) => Math.round(x * 10) / 10)]));
    return { seconds, processes, machineCpuPercent: cores, rssSamples };
  }

  private sampleRss(): void {
    for (const r of this.refs) {
      const entry = this.rss.get(r.pid)!;
      const now = rssMiB(r.pid);
      entry.samples.push(now);
      entry.max = Math.max(entry.max, now);
    }
  }
}
