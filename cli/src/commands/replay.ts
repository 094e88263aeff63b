import { parseDuration } from '@hookline/core';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { answer } from '../client.js';
import { clientOf, sleep } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { printJson } from '../output.js';

/** `--from`/`--to`: an ISO time, or a duration ago such as `2h` or `30m`. */
export function timeOption(value: string, option: string, now = Date.now()): string {
  try {
    return new Date(now - parseDuration(value)).toISOString();
  } catch {
    // not a duration: an ISO time then
  }
  const time = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(time))
    throw usageError(`${option}: give an ISO time (2026-11-23T10:00:00Z) or a duration ago (30m, 2h, 1d)`);
  return new Date(time).toISOString();
}

export function replayCommand(): Command {
  return new Command('replay')
    .description("replay an endpoint's dead letters (all, or those dead-lettered in a time range) with a progress bar")
    .argument('<endpointId>', 'the endpoint (it must be active)')
    .option('--from <time>', 'dead-lettered at or after: ISO time or a duration ago (2h)')
    .option('--to <time>', 'dead-lettered at or before: ISO time or a duration ago')
    .option('--json', 'print the finished job as JSON')
    .action(async (endpointId: string, options: { from?: string; to?: string; json?: boolean }, command: Command) => {
      const client = clientOf(command);
      const range = {
        ...(options.from ? { from: timeOption(options.from, '--from') } : {}),
        ...(options.to ? { to: timeOption(options.to, '--to') } : {}),
      };
      const { jobId, total } = await answer(
        client.admin.POST('/api/admin/webhooks/{id}/replay', { params: { path: { id: endpointId } }, body: range }),
      );
      // The bar goes to stderr so stdout stays the result; off a terminal it prints a line now and then.
      const bar = new SingleBar({
        format: 'replaying [{bar}] {value}/{total} {percentage}%',
        noTTYOutput: true,
        notTTYSchedule: 1000,
        hideCursor: true,
        stream: process.stderr,
      });
      bar.start(total, 0);
      const jobState = () => answer(client.admin.GET('/api/admin/replays/{jobId}', { params: { path: { jobId } } }));
      let job = await jobState();
      while (job.state === 'running') {
        bar.update(job.done);
        await sleep(250);
        job = await jobState();
      }
      bar.update(job.done);
      bar.stop();
      if (job.state === 'failed')
        throw new CliError(`replay ${jobId} failed after ${job.done}/${job.total}: ${job.error ?? 'unknown error'}`);
      if (options.json) printJson(job);
      else console.log(total === 0 ? `nothing to replay (job ${jobId})` : `replayed ${job.done}/${job.total} dead letters (job ${jobId})`);
    });
}

export function retryCommand(): Command {
  return new Command('retry')
    .description('send one dead-lettered delivery again now, as its next attempt (same webhook-id)')
    .argument('<endpointId>', 'the endpoint')
    .argument('<deliveryId>', 'the delivery (its webhook-id, msg_...)')
    .option('--json', 'print the answer as JSON')
    .action(async (endpointId: string, deliveryId: string, options: { json?: boolean }, command: Command) => {
      const client = clientOf(command);
      const queued = await answer(
        client.admin.POST('/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry', { params: { path: { id: endpointId, deliveryId } } }),
      );
      if (options.json) printJson(queued);
      else console.log(`queued ${queued.deliveryId} as attempt ${queued.attempt}`);
    });
}
