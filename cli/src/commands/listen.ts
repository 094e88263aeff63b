import { hostname } from 'node:os';
import { deliveryProfiles } from '@hookline/delivery-policy';
import type { SignatureScheme } from '@hookline/signing';
import { Command } from 'commander';
import { answer } from '../client.js';
import { parseCount, parseList } from '../config.js';
import { clientOf, stopSignal } from '../context.js';
import { deliveryJson, formatDelivery } from '../delivery-format.js';
import { usageError } from '../errors.js';
import { startListener } from '../listener.js';
import { paint } from '../output.js';
import { schemeFor } from '../verification.js';
import { schemeOptions, toSchemeOptions } from './verify.js';

interface ListenOptions {
  port: string;
  host: string;
  events: string;
  forward?: string;
  register: boolean;
  secret?: string;
  endpointUrl?: string;
  scheme?: string;
  profile?: string;
  header?: string;
  prefix?: string;
  headers?: boolean;
  json?: boolean;
}

function checkUrl(value: string | undefined, option: string): void {
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${option}: not a URL`);
  }
  if (!/^https?:$/.test(url.protocol)) throw usageError(`${option}: must be an http or https URL`);
}

export function listenCommand(): Command {
  return schemeOptions(
    new Command('listen')
      .description(
        'receive deliveries on localhost and print them: creates a temporary endpoint pointing here (deleted on Ctrl-C or SIGTERM), verifies signatures, answers 200 or forwards',
      )
      .option('--port <n>', 'port to listen on (0: any free port)', '0')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--events <patterns>', "comma-separated event types to subscribe to, e.g. 'invoice.*,project.created'", '*')
      .option('--forward <url>', 'relay each delivery to this URL and answer with its answer')
      .option('--no-register', 'only listen (for an endpoint made elsewhere; give --secret to verify)')
      .option('--secret <secret>', 'signing secret to verify with in --no-register mode (whsec_...)')
      .option('--endpoint-url <url>', "URL to register instead of this listener's own (when deliveries reach it through another address)"),
  )
    .option('--headers', 'print every header, not just the webhook ones')
    .option('--json', 'one JSON object per delivery')
    .action(async (options: ListenOptions, command: Command) => {
      const port = parseCount(options.port, '--port', { max: 65_535 });
      const events = parseList(options.events);
      if (events.length === 0) throw usageError('--events: give at least one event type or pattern');
      checkUrl(options.forward, '--forward');
      checkUrl(options.endpointUrl, '--endpoint-url');
      const schemeChoice = toSchemeOptions(options);
      if (options.register && (options.scheme || options.header || options.prefix))
        throw usageError('--scheme/--header/--prefix are for --no-register; use --profile to register a different scheme');
      const client = options.register ? clientOf(command) : undefined;

      let signing: { secret: string; scheme: (headers: Record<string, string>) => SignatureScheme } | undefined = options.secret
        ? { secret: options.secret, scheme: (headers) => schemeFor(schemeChoice, headers) }
        : undefined;
      const listener = await startListener({
        host: options.host,
        port,
        ...(options.forward ? { forward: options.forward } : {}),
        signing: (headers) => (signing ? { secret: signing.secret, scheme: signing.scheme(headers) } : undefined),
        onDelivery: (delivery) =>
          console.log(options.json ? deliveryJson(delivery) : formatDelivery(delivery, { allHeaders: options.headers === true })),
      });
      const stop = stopSignal();

      let endpointId: string | undefined;
      if (client) {
        try {
          const endpoint = await answer(
            client.admin.POST('/api/admin/webhooks', {
              body: {
                name: `hookline listen on ${hostname()}:${new URL(listener.url).port}`,
                description: 'Temporary endpoint of `hookline listen`; deleted when it stops.',
                url: options.endpointUrl ?? listener.url,
                events,
                ...(schemeChoice.profile ? { profile: schemeChoice.profile } : {}),
              },
            }),
          );
          endpointId = endpoint.id;
          const scheme = options.profile ? deliveryProfiles[schemeChoice.profile!].signature : { kind: 'standard-webhooks' as const };
          signing = { secret: endpoint.secret, scheme: () => scheme };
        } catch (error) {
          await listener.close();
          throw error;
        }
      }
      const target = options.forward ? `, forwarding to ${options.forward}` : '';
      const registered = endpointId ? ` as endpoint ${endpointId} for ${events.join(', ')}` : ' (not registered: point an endpoint here)';
      console.log(paint('bold', `listening on ${listener.url}${registered}${target}; Ctrl-C to stop`));
      // The app behind --forward verifies with the same secret, so it is shown (it dies with the endpoint).
      if (endpointId && signing) console.log(paint('dim', `signing secret of the temporary endpoint: ${signing.secret}`));

      if (!stop.aborted) await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
      await listener.close();
      if (client && endpointId) {
        await answer(client.admin.DELETE('/api/admin/webhooks/{id}', { params: { path: { id: endpointId } } }));
        console.log(`deleted temporary endpoint ${endpointId}`);
      }
    });
}
