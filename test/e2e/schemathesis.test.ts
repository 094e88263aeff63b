import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@hookline/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

/**
 * Schemathesis (scripts/schemathesis/run.sh) against the OpenAPI documents of config-api and ingest, with a real
 * owner key of a test tenant and the operator token: any 5xx, a response its document does not allow, an
 * undocumented status code or content type, a 404 where 405 belongs, or an accepted schema-violating input fails.
 * The delivery service is stopped first: generated endpoint URLs point anywhere, and nothing may call them.
 */
const ctx = useHookline({ CONFIG_API_TEST_TIMEOUT_MS: '1000' });
const seeded: Record<string, string> = {};

/** A resource the admin API created: its id (or name). */
async function create(path: string, body: object, field = 'id'): Promise<string> {
  const created = await ctx.tenant.admin('POST', path, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body[field];
}

beforeAll(async () => {
  await ctx.hookline.signal('delivery', 'SIGTERM');
  const webhook = (name: string) => create('/webhooks', { name, url: 'http://127.0.0.1:9/hook', events: ['*'] });
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { n: { type: 'integer' } } };
  Object.assign(seeded, {
    HOOKLINE_ST_API_KEY: ctx.tenant.apiKey,
    HOOKLINE_ST_ROOT_TOKEN: ctx.hookline.rootToken,
    HOOKLINE_ST_WEBHOOK_ID: await webhook('seeded'),
    HOOKLINE_ST_SPARE_WEBHOOK_ID: await webhook('spare'),
    HOOKLINE_ST_EVENT_TYPE: await create('/event-types', { name: 'order.created', schema }, 'name'),
    HOOKLINE_ST_SPARE_EVENT_TYPE: await create('/event-types', { name: 'order.spare' }, 'name'),
    HOOKLINE_ST_SPARE_KEY_ID: await create('/api-keys', { name: 'spare', role: 'viewer' }),
    HOOKLINE_ST_SPARE_INCOMING_ID: await create('/incoming-webhooks', { name: 'spare', eventType: 'order.spare' }),
  });
  const incoming = await ctx.tenant.admin('POST', '/incoming-webhooks', { name: 'seeded', eventType: 'order.created' });
  expect(incoming.status).toBe(201);
  seeded.HOOKLINE_ST_INCOMING_ID = incoming.body.id;
  seeded.HOOKLINE_ST_INCOMING_TOKEN = incoming.body.token;
});

/** Runs the script; resolves with its exit code and output (also kept in test-results/schemathesis/run.log). */
function runSchemathesis(): Promise<{ code: number | null; output: string }> {
  const reports = join(repoRoot, 'test-results', 'schemathesis');
  mkdirSync(reports, { recursive: true });
  const log = createWriteStream(join(reports, 'run.log'));
  const child = spawn('bash', ['scripts/schemathesis/run.sh', 'check', ctx.hookline.configApiUrl, ctx.hookline.ingestUrl], {
    cwd: repoRoot,
    env: { ...process.env, ...seeded, HOOKLINE_ST_REPORT_DIR: reports },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      log.write(chunk);
    });
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => log.end(() => resolve({ code, output })));
  });
}

describe('schemathesis', () => {
  it('finds no server error, no answer outside the documents and no accepted invalid input', { timeout: 600_000 }, async () => {
    const { code, output } = await runSchemathesis();
    // The failures section and the summary, which name each failing operation (the whole run is in run.log).
    const failures = output
      .split('\n')
      .filter((line) => /^(_{3,}|- ST\d|\[\d{3}\]|\s+curl |schemathesis:|={3,})/.test(line))
      .join('\n');
    expect(code, failures).toBe(0);
    // The run's own key still works: everything it tested got past authentication.
    expect((await ctx.tenant.admin('GET', '/me')).status).toBe(200);
  });
});
