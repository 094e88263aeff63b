import { z } from 'zod';
import { usageError } from './errors.js';

/** Where the CLI talks to, from `--api-url`/`--api-key`/`--ingest-url` or their HOOKLINE_* variables. */
export interface Connection {
  apiUrl: string;
  ingestUrl: string;
  apiKey: string | undefined;
}

const baseUrl = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http or https URL')
  .transform((u) => u.replace(/\/+$/, ''));

export const connectionOptions = z.object({
  apiUrl: baseUrl,
  ingestUrl: baseUrl,
  apiKey: z.string().min(1).optional(),
});

const optionNames: Record<string, string> = { apiUrl: '--api-url', ingestUrl: '--ingest-url', apiKey: '--api-key' };

/** Validates the connection options once; a bad value is a usage error naming the option. */
export function parseConnection(options: Record<string, unknown>): Connection {
  const parsed = connectionOptions.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = optionNames[String(issue.path[0])] ?? String(issue.path[0]);
    throw usageError(`${option}: ${issue.message}`);
  }
  return { apiUrl: parsed.data.apiUrl, ingestUrl: parsed.data.ingestUrl, apiKey: parsed.data.apiKey };
}

/** `--data` values: inline JSON, or `@path` to read it from a file. */
export async function parseJsonOption(value: string, option: string): Promise<unknown> {
  let text = value;
  if (value.startsWith('@')) {
    const { readFile } = await import('node:fs/promises');
    try {
      text = await readFile(value.slice(1), 'utf8');
    } catch (error) {
      throw usageError(`${option}: cannot read ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${option}: not valid JSON (${(error as Error).message})`);
  }
}

/** A comma-separated list such as `--events 'invoice.*,project.created'`. */
export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A positive integer option (`--port`, `--lines`, ...). */
export function parseCount(value: string, option: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`${option}: must be an integer from ${min} to ${max}`);
  return n;
}
