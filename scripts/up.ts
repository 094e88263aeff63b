/**
 * `./dev up`: the whole system on this machine. Infrastructure (already started by ./dev), the five services
 * as separate processes on fixed ports, a demo tenant with an endpoint that points at a small receiver on
 * 127.0.0.1:8600 printing what it gets, and one demo event. Prints `export NAME=value` lines (also written to
 * .hookline/demo.env) that the README's examples and the CLI read. Ctrl-C stops the services and the receiver
 * (infrastructure keeps running: `./dev infra stop`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hookline, Receiver, repoRoot, requestJson, startLocalInfra } from '@hookline/testkit';

const demoReceiverPort = 8600;

/**
 * The development keyring that seals endpoint secrets (docs/secrets.md): made once and kept in .hookline/, so
 * endpoints created in one `./dev up` still deliver in the next. HOOKLINE_SECRETS_KEY, when set, wins.
 */
const secretsKeyFile = join(repoRoot, '.hookline', 'secrets.key');
if (!process.env.HOOKLINE_SECRETS_KEY && !existsSync(secretsKeyFile)) {
  mkdirSync(join(repoRoot, '.hookline'), { recursive: true });
  writeFileSync(secretsKeyFile, `dev-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
}
const secretsKey = process.env.HOOKLINE_SECRETS_KEY ?? readFileSync(secretsKeyFile, 'utf8').trim();

const infra = await startLocalInfra();
const hookline = await Hookline.start({
  infra,
  namespace: 'hookline',
  logDir: join(repoRoot, '.hookline', 'logs'),
  rootToken: process.env.HOOKLINE_ROOT_TOKEN ?? `root_${randomBytes(16).toString('hex')}`,
  secretsKey,
  ports: { ingest: 8100, 'config-api': 8200, fanout: 8300, delivery: 8400, projector: 8500 },
  // The admin page shows incoming webhooks' full URLs on ingest.
  env: { HOOKLINE_INGEST_PUBLIC_URL: 'http://127.0.0.1:8100' },
});

const receiver = await Receiver.start('127.0.0.1', demoReceiverPort);
receiver.respond((request) => {
  console.log(`demo receiver got ${request.method} ${request.path} ${request.headers['webhook-id'] ?? ''}: ${request.body}`);
  return { status: 200 };
});

const tenant = await requestJson('POST', `${hookline.configApiUrl}/api/admin/tenants`, {
  token: hookline.rootToken,
  body: { name: 'Demo' },
});
const apiKey: string = tenant.body.apiKey.key;
const endpoint = await requestJson('POST', `${hookline.configApiUrl}/api/admin/webhooks`, {
  token: apiKey,
  body: { name: 'Demo receiver', url: `${receiver.url}/webhooks`, events: ['*'], description: 'prints deliveries to this console' },
});
await requestJson('POST', `${hookline.ingestUrl}/v1/events`, {
  token: apiKey,
  body: { type: 'demo.hello', data: { message: 'Hello from Hookline' } },
});

// The names the README's curl examples and the CLI (docs/cli.md) use.
const variables: Record<string, string> = {
  HOOKLINE_API_URL: hookline.configApiUrl,
  HOOKLINE_INGEST_URL: hookline.ingestUrl,
  HOOKLINE_ROOT_TOKEN: hookline.rootToken,
  HOOKLINE_API_KEY: apiKey,
  HOOKLINE_ENDPOINT_ID: endpoint.body.id,
  HOOKLINE_WEBHOOK_SECRET: endpoint.body.secret,
  HOOKLINE_RECEIVER_URL: `${receiver.url}/webhooks`,
  // The keyring the services seal endpoint secrets with; the re-seal command reads it too (docs/secrets.md).
  HOOKLINE_SECRETS_KEY: secretsKey,
};
const shellWord = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);
const exportLines = Object.entries(variables).map(([name, value]) => `export ${name}=${shellWord(value)}`);
const demoEnvFile = join(repoRoot, '.hookline', 'demo.env');
writeFileSync(demoEnvFile, `${exportLines.join('\n')}\n`, { mode: 0o600 });

console.log(`
Hookline is up.
  admin page            ${hookline.configApiUrl}/admin/   (sign in with HOOKLINE_API_KEY below)
  admin API             ${hookline.configApiUrl}/api/admin   (OpenAPI: ${hookline.configApiUrl}/openapi.json)
  ingest API            ${hookline.ingestUrl}/v1/events   (OpenAPI: ${hookline.ingestUrl}/openapi.json)
  metrics               ${hookline.serviceUrl('delivery')}/metrics (each service on its own port)
  demo receiver         ${receiver.url} (prints what it gets here; the demo endpoint posts to /webhooks)
  Kafka ${infra.kafkaBrokers}   MongoDB ${infra.mongoUrl}   schema registry ${infra.schemaRegistryUrl ?? 'n/a'}
  service logs          .hookline/logs/

In another terminal, paste these lines (or run: source .hookline/demo.env):
${exportLines.map((line) => `  ${line}`).join('\n')}

Then, for example (README, "API in brief"):
  curl -s -X POST "$HOOKLINE_INGEST_URL/v1/events" -H "authorization: Bearer $HOOKLINE_API_KEY" \\
       -H 'content-type: application/json' -d '{"type":"project.created","data":{"id":"p_1"}}'
  curl -s "$HOOKLINE_API_URL/api/admin/webhooks/$HOOKLINE_ENDPOINT_ID/stats" -H "authorization: Bearer $HOOKLINE_API_KEY"
  ./hookline endpoints    ./hookline tail    ./hookline listen    ./hookline send project.created --data '{"id":"p_2"}'
Ctrl-C stops the services and the demo receiver.
`);

const stop = async () => {
  await Promise.all([hookline.stop(), receiver.close()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
