import { Command } from 'commander';
import { answer } from '../client.js';
import { parseJsonOption } from '../config.js';
import { clientOf } from '../context.js';
import { paint, printJson } from '../output.js';

export function testCommand(): Command {
  return new Command('test')
    .description('send a test event to an endpoint through the normal delivery path; exits 1 when it fails')
    .argument('<endpointId>', 'the endpoint (see `hookline endpoints`)')
    .option('--type <eventType>', 'event type of the sample (default: one the endpoint subscribes to)')
    .option('--data <json>', 'event data as JSON, or @file.json')
    .option('--json', 'print the outcome as JSON')
    .action(async (endpointId: string, options: { type?: string; data?: string; json?: boolean }, command: Command) => {
      const client = clientOf(command);
      const body = {
        ...(options.type ? { eventType: options.type } : {}),
        ...(options.data !== undefined ? { data: await parseJsonOption(options.data, '--data') } : {}),
      };
      const result = await answer(client.admin.POST('/api/admin/webhooks/{id}/test', { params: { path: { id: endpointId } }, body }));
      if (options.json) printJson(result);
      else {
        const outcome = result.outcome === 'success' ? paint('green', 'success') : paint('red', 'failure');
        console.log(`${outcome}  status ${result.statusCode ?? '-'}  ${result.durationMs} ms  webhook-id ${result.deliveryId}`);
        if (result.error) console.log(`error: ${result.error}`);
        if (result.responseExcerpt) console.log(`response: ${result.responseExcerpt}`);
      }
      if (result.outcome !== 'success') process.exitCode = 1;
    });
}
