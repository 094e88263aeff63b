import type { AttemptSummary } from '@hookline/api-client';
import { Command } from 'commander';
import { answer } from '../client.js';
import { parseCount } from '../config.js';
import { clientOf, sleep, stopSignal } from '../context.js';
import { CliError } from '../errors.js';
import { paint } from '../output.js';

const outcomeText = { success: 'success', retrying: 'failure, will retry', failed: 'failure, final' } as const;

/** One attempt as one line: time, endpoint, event type, webhook-id, status code, duration, outcome. */
export function attemptLine(a: AttemptSummary): string {
  const outcome =
    a.status === 'success' ? paint('green', outcomeText.success) : paint(a.status === 'failed' ? 'red' : 'yellow', outcomeText[a.status]);
  const endpoint = a.endpointName ? `${a.endpointName} (${a.endpointId})` : a.endpointId;
  const attempt = a.attempt > 1 ? ` attempt ${a.attempt}` : '';
  const error = a.error ? `  ${paint('dim', a.error)}` : '';
  return `${a.startedAt}  ${endpoint}  ${a.eventType}  ${a.deliveryId}  ${a.statusCode ?? '---'}  ${Math.round(a.durationMs)} ms  ${outcome}${attempt}${error}`;
}

interface TailOptions {
  endpoint?: string;
  lines: string;
  interval: string;
  follow: boolean;
  json?: boolean;
}

export function tailCommand(): Command {
  return new Command('tail')
    .description('print delivery attempts as they happen (the last few first), until Ctrl-C')
    .option('--endpoint <id>', 'only this endpoint')
    .option('-n, --lines <n>', 'how many recent attempts to print first', '10')
    .option('--interval <ms>', 'how often to ask for new attempts', '1000')
    .option('--no-follow', 'print the recent attempts and exit')
    .option('--json', 'one JSON object per line')
    .action(async (options: TailOptions, command: Command) => {
      const client = clientOf(command);
      const lines = parseCount(options.lines, '--lines', { max: 500 });
      const interval = parseCount(options.interval, '--interval', { min: 100, max: 60_000 });
      const print = (a: AttemptSummary) => console.log(options.json ? JSON.stringify(a) : attemptLine(a));
      const feed = (query: { limit: number; after?: string }) =>
        answer(
          client.admin.GET('/api/admin/deliveries', {
            params: { query: { ...(options.endpoint ? { endpointId: options.endpoint } : {}), ...query } },
          }),
        );

      // The feed filters silently; a mistyped endpoint id should say so instead of showing nothing forever.
      if (options.endpoint) await answer(client.admin.GET('/api/admin/webhooks/{id}', { params: { path: { id: options.endpoint } } }));
      // The first page is the newest attempts (oldest first); with --lines 0 only its cursor is used.
      const first = await feed({ limit: Math.max(lines, 1) });
      if (lines > 0) first.data.forEach(print);
      if (!options.follow) return;
      const stop = stopSignal();
      process.stderr.write(paint('dim', `following new attempts${options.endpoint ? ` of ${options.endpoint}` : ''}; Ctrl-C to stop\n`));
      let cursor = first.next;
      while (!stop.aborted) {
        const page = await feed({ after: cursor, limit: 200 }).catch((error: unknown) => {
          // A restarting config-api should not end a follow; any answer the API gives (401, 404...) does.
          if (!(error instanceof CliError) || error.code) throw error;
          console.error(paint('yellow', `${error.message}; retrying`));
          return { data: [], next: cursor };
        });
        page.data.forEach(print);
        cursor = page.next;
        if (page.data.length < 200) await sleep(interval, stop);
      }
    });
}
