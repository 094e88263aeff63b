/**
 * `./dev up`: the whole system on this machine. Infrastructure (already started by ./dev), the five services
 * as separate processes on fixed ports, a demo tenant with an endpoint that points at a small local receiver
 * printing what it gets, and one demo event. Ctrl-C stops the services (infrastructure keeps running:
 * `./dev infra stop`).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Hookline, Receiver, repoRoot, requestJson, startLocalInfra } from '@hookline/testkit';

const infra = await startLocalInfra();
const hookline = await Hookline.start({
  infra,
  namespace: 'hookline',
  logDir: join(repoRoot, '.hookline', 'logs'),
  rootToken: process.env.HOOKLINE_ROOT_TOKEN ?? `root_${randomBytes(16).toString('hex')}`,
  ports: { ingest: 8100, 'config-api': 8200, fanout: 8300, delivery: 8400, projector: 8500 },
  // The admin page shows incoming webhooks' full URLs on ingest.
  env: { HOOKLINE_INGEST_PUBLIC_URL: 'http://127.0.0.1:8100' },
});

const receiver = await Receiver.start();
receiver.respond((request) => {
  console.log(`demo receiver got ${request.headers['webhook-id']}: ${request.body}`);
  return { status: 200 };
});

const tenant = await requestJson('POST', `${hookline.configApiUrl}/api/admin/tenants`, { token: hookline.rootToken, body: { name: 'Demo' } });
const apiKey: string = tenant.body.apiKey.key;
const endpoint = await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks`, {
  token: apiKey,
  body: { name: 'Demo receiver', url: `${receiver.url}/webhooks`, events: ['*'], description: 'prints deliveries to this console' },
});
await requestJson('POST', `${hookline.ingestUrl}/v1/events`, { token: apiKey, body: { type: 'demo.hello', data: { message: 'Hello from Hookline' } } });

console.log(`
Hookline is up.
  admin page            ${hookline.configApiUrl}/admin/   (sign in with the demo tenant API key below)
  admin API             ${hookline.configApiUrl}/api/admin   (OpenAPI: ${hookline.configApiUrl}/openapi.json)
  ingest API            ${hookline.ingestUrl}/v1/events   (OpenAPI: ${hookline.ingestUrl}/openapi.json)
  metrics               ${hookline.serviceUrl('delivery')}/metrics (each service on its own port)
  Kafka ${infra.kafkaBrokers}   MongoDB ${infra.mongoUrl}   schema registry ${infra.schemaRegistryUrl ?? 'n/a'}
  service logs          .hookline/logs/

  demo tenant API key   ${apiKey}
  operator token        ${hookline.rootToken}
  demo endpoint         ${endpoint.body.id} → ${receiver.url}/webhooks (secret ${endpoint.body.secret})

Try:
  curl -s -X POST ${hookline.ingestUrl}/v1/events -H 'authorization: Bearer ${apiKey}' \\
       -H 'content-type: application/json' -d '{"type":"project.created","data":{"id":"p_1"}}'
  curl -s ${hookline.configApiUrl}/api/admin/webhooks/${endpoint.body.id}/stats -H 'authorization: Bearer ${apiKey}'
In another terminal, the CLI (docs/cli.md):
  export HOOKLINE_API_KEY=${apiKey}
  ./hookline endpoints    ./hookline tail    ./hookline listen    ./hookline send project.created --data '{"id":"p_2"}'
Ctrl-C stops the services.
`);

const stop = async () => {
  await Promise.all([hookline.stop(), receiver.close()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
