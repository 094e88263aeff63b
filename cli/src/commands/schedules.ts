import { Command } from 'commander';
import { answer } from '../client.js';
import { clientOf } from '../context.js';
import { printJson, shortTime, table } from '../output.js';

/** `hookline schedules` (list with the next due time) and `hookline schedules trigger <id>`. */
export function schedulesCommand(): Command {
  const schedules = new Command('schedules')
    .description('list scheduled exports with their next due time')
    .option('--project <id>', 'only schedules of this project')
    .option('--json', 'print JSON')
    .action(async (options: { project?: string; json?: boolean }, command: Command) => {
      const client = clientOf(command);
      const query = options.project ? { projectId: options.project } : {};
      const { data } = await answer(client.admin.GET('/api/scheduled-exports', { params: { query } }));
      if (options.json) return printJson(data);
      if (data.length === 0) return console.log('no scheduled exports yet (POST /api/scheduled-exports)');
      console.log(
        table(
          ['ID', 'TYPE', 'WHEN', 'TIMEZONE', 'FORMAT', 'NEXT DUE'],
          data.map((s) => [
            s.id,
            s.scheduleType,
            s.cronExpression ?? s.triggerStatus ?? s.scheduledAt ?? '-',
            s.timezone,
            s.format,
            s.nextDueAt ? shortTime(s.nextDueAt) : '-',
          ]),
        ),
      );
    });
  schedules
    .command('trigger <exportId>')
    .description('fire a scheduled export now (an export.scheduled event with manual: true)')
    .action(async (exportId: string, _options: unknown, command: Command) => {
      const client = clientOf(command);
      const { eventId } = await answer(client.admin.POST('/api/scheduled-exports/{exportId}/trigger', { params: { path: { exportId } } }));
      console.log(`triggered: event ${eventId}`);
    });
  return schedules;
}
