import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Hookline, serviceNames } from '@hookline/testkit';

/** Distinct warnings and errors printed per service. */
const linesPerService = 15;

interface LogEntry {
  level: number;
  time: number;
  msg?: string;
  component?: string;
  err?: { type?: string; message?: string };
  error?: string;
}

/**
 * What each service warned about or failed at since `sinceMs`, and what its `/health` says now, for a scenario that
 * failed: CI keeps only the suite's output, not the services' logs, so the cause has to be printed with the failure.
 * Repeated messages (numbers aside) are counted once, with the first and last time they were logged.
 */
export async function serviceDigest(hookline: Hookline, sinceMs: number): Promise<string> {
  const sections: string[] = [];
  for (const name of serviceNames) {
    const health = await fetch(`${hookline.serviceUrl(name)}/health`, { signal: AbortSignal.timeout(3_000) })
      .then(async (response) => `${response.status} ${(await response.text()).slice(0, 400)}`)
      .catch((error: unknown) => `no answer (${(error as Error).message})`);
    sections.push(`[faults] ${name} /health: ${health}`);
    for (const line of warnings(join(hookline.logDir, `${name}.log`), sinceMs)) sections.push(`[faults]   ${name}: ${line}`);
  }
  return sections.join('\n');
}

function warnings(file: string, sinceMs: number): string[] {
  if (!existsSync(file)) return [];
  const seen = new Map<string, { count: number; first: number; last: number }>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const entry = parse(line);
    if (!entry || entry.level < 40 || entry.time < sinceMs) continue;
    const what = [entry.component, entry.msg, entry.err?.type, entry.err?.message ?? entry.error]
      .filter(Boolean)
      .join(' | ')
      // "for 21 s", "for 22 s": one message.
      .replace(/\d+/g, 'N')
      .slice(0, 240);
    const known = seen.get(what);
    if (known) {
      known.count++;
      known.last = entry.time;
    } else seen.set(what, { count: 1, first: entry.time, last: entry.time });
  }
  const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  return [...seen.entries()]
    .sort((a, b) => b[1].last - a[1].last)
    .slice(0, linesPerService)
    .map(([what, { count, first, last }]) => `${count}x ${clock(first)}-${clock(last)} ${what}`);
}

function parse(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return undefined;
  }
}
