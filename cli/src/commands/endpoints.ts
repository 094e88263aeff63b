import type { Webhook, WebhookStats } from '@hookline/api-client';
import { Command } from 'commander';
import { answer } from '../client.js';
import { clientOf } from '../context.js';
import { paint, percent, printJson, shortTime, table } from '../output.js';

function stateCell(endpoint: Webhook, stats: WebhookStats): string {
  return endpoint.isActive ? paint('green', 'active') : paint('red', stats.state === 'disabled' ? 'disabled' : stats.state);
}

function lastCell(stats: WebhookStats): string {
  const last = stats.lastDelivery;
  if (!last) return '-';
  const outcome =
    last.status === 'success' ? paint('green', String(last.statusCode ?? 'ok')) : paint('red', String(last.statusCode ?? 'error'));
  return `${shortTime(last.at)} ${outcome}`;
}

export function endpointsCommand(): Command {
  return new Command('endpoints')
    .description('list endpoints with their state, success rate, last delivery and failures in the last 24 h')
    .option('--json', 'print JSON (each endpoint with its stats)')
    .action(async (options: { json?: boolean }, command: Command) => {
      const client = clientOf(command);
      const { data } = await answer(client.admin.GET('/api/admin/webhooks'));
      const rows = await Promise.all(
        data.map(async (endpoint) => ({
          endpoint,
          stats: await answer(client.admin.GET('/api/admin/webhooks/{id}/stats', { params: { path: { id: endpoint.id } } })),
        })),
      );
      if (options.json) return printJson(rows.map(({ endpoint, stats }) => ({ ...endpoint, stats })));
      if (rows.length === 0) return console.log('no endpoints yet (create one with the admin API, or try `hookline listen`)');
      console.log(
        table(
          ['ID', 'NAME', 'STATE', 'SUCCESS', 'DELIVERIES', 'FAILED 24H', 'LAST DELIVERY', 'URL'],
          rows.map(({ endpoint, stats }) => [
            endpoint.id,
            endpoint.name,
            stateCell(endpoint, stats),
            percent(stats.successRate),
            String(stats.totalDeliveries),
            stats.failuresLast24h > 0 ? paint('yellow', String(stats.failuresLast24h)) : '0',
            lastCell(stats),
            endpoint.url,
          ]),
        ),
      );
      for (const { endpoint } of rows)
        if (endpoint.disabledReason) console.log(paint('dim', `${endpoint.id} disabled: ${endpoint.disabledReason}`));
    });
}
