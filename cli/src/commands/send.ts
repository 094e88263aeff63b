import { Command } from 'commander';
import { answer } from '../client.js';
import { parseJsonOption, parseList } from '../config.js';
import { clientOf } from '../context.js';
import { printJson } from '../output.js';

export function sendCommand(): Command {
  return new Command('send')
    .description('post an event through ingest (handy with `hookline listen`)')
    .argument('<type>', 'event type, e.g. project.created')
    .option('--data <json>', 'event data as JSON, or @file.json', '{}')
    .option('--channels <list>', 'comma-separated channels')
    .option('--idempotency-key <key>', 'send as Idempotency-Key (the same key within 24 h yields the same event)')
    .option('--json', 'print the answer as JSON')
    .action(
      async (type: string, options: { data: string; channels?: string; idempotencyKey?: string; json?: boolean }, command: Command) => {
        const client = clientOf(command);
        const body = {
          type,
          data: await parseJsonOption(options.data, '--data'),
          ...(options.channels ? { channels: parseList(options.channels) } : {}),
        };
        const headers: Record<string, string> = options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {};
        const accepted = await answer(client.ingest.POST('/v1/events', { body, headers }));
        if (options.json) printJson(accepted);
        else console.log(`sent ${type} as ${accepted.id}`);
      },
    );
}
