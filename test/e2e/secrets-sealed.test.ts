import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { configKey, type EndpointRecord } from '@hookline/core';
import { createKafkaEventLog, type EventLog, type RecordPublisher } from '@hookline/kafka';
import { eventually, type ReceivedRequest, repoRoot, requestJson } from '@hookline/testkit';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useHookline } from './support/harness.js';

/**
 * Secrets sealed at rest: endpoint signing secrets and custom header values never reach the `config` topic in
 * plain text (creation, rotation, header changes), reads mask header values, deliveries still carry and verify
 * with them, records of the previous (plain) shape still deliver, and the re-seal command moves every value to
 * a new key while delivery keeps working.
 */
const base64Key = () => randomBytes(32).toString('base64');
const [firstKey, nextKey] = [`first:${base64Key()}`, `next:${base64Key()}`];
// The services open values of both keys and seal with the first; the re-seal command below seals with the next.
const ctx = useHookline({ HOOKLINE_SECRETS_KEY: `${firstKey},${nextKey}` });
const infra = inject('infra');
const random = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;

let log: EventLog;
let publisher: RecordPublisher;
beforeAll(async () => {
  log = createKafkaEventLog({ brokers: infra.kafkaBrokers.split(','), clientId: 'secrets-test', logger: pino({ level: 'silent' }) });
  publisher = await log.publisher();
});
afterAll(async () => {
  await publisher?.close();
  await log?.close();
});

/** Every record of the raw `config` topic, from offset 0 to its end, as text. */
async function configTopic(): Promise<{ key: string; value: string }[]> {
  const topic = `${ctx.hookline.namespace}.config`;
  const records: { key: string; value: string }[] = [];
  await log.readRanges(topic, await log.offsetsForTime(topic, 0), async (batch) => {
    for (const r of batch) records.push({ key: r.key ?? '', value: r.value?.toString('utf8') ?? '' });
  });
  return records;
}

const headersOf = (request: ReceivedRequest) => Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
const verifies = (secret: string, request: ReceivedRequest) => {
  try {
    new Webhook(secret).verify(request.body, headersOf(request));
    return true;
  } catch {
    return false;
  }
};

describe('secrets sealed at rest', () => {
  it('writes no signing secret or header value to the config topic, masks header values, and deliveries still verify', async () => {
    const receiver = await ctx.receiver();
    const given = whsec();
    const credentials = { apiKey: random('key-'), bearer: random('token-'), patched: random('patched-'), added: random('added-') };
    const a = await ctx.tenant.createEndpoint({
      url: `${receiver.url}/a`,
      events: ['secret.check'],
      secret: given,
      headers: { 'X-Api-Key': credentials.apiKey, Authorization: `Bearer ${credentials.bearer}` },
    });
    const b = await ctx.tenant.createEndpoint({ url: `${receiver.url}/b`, events: ['secret.check'], headers: { 'X-Token': random('t-') } });
    expect(a.secret).toBe(given);
    expect(a.headers).toEqual({ 'X-Api-Key': '********', Authorization: '********' });

    // Rotations: one generated, one given; b's header replaced, a's kept through its mask and one added.
    const rotated = await ctx.tenant.admin('POST', `/webhooks/${a.id}/secret/rotate`, { overlapSeconds: 3600 });
    const givenOnRotation = whsec();
    const rotatedB = await ctx.tenant.admin('POST', `/webhooks/${b.id}/secret/rotate`, { secret: givenOnRotation, overlapSeconds: 3600 });
    expect([rotated.status, rotatedB.status, rotatedB.body.secret]).toEqual([200, 200, givenOnRotation]);
    const patchedB = await ctx.tenant.admin('PATCH', `/webhooks/${b.id}`, { headers: { 'X-Token': credentials.patched } });
    const patchedA = await ctx.tenant.admin('PATCH', `/webhooks/${a.id}`, {
      headers: { 'X-Api-Key': '********', Authorization: '********', 'X-Added': credentials.added },
    });
    expect([patchedB.status, patchedB.body.headers, patchedA.body.headers]).toEqual([
      200,
      { 'X-Token': '********' },
      { 'X-Api-Key': '********', Authorization: '********', 'X-Added': '********' },
    ]);

    // Every read masks header values, for every role.
    const viewerKey = (await ctx.tenant.admin('POST', '/api-keys', { name: 'viewer', role: 'viewer' })).body.key as string;
    for (const token of [ctx.tenant.apiKey, viewerKey]) {
      const list = await requestJson('GET', `${ctx.hookline.configApiUrl}/api/admin/webhooks`, { token });
      const detail = await requestJson('GET', `${ctx.hookline.configApiUrl}/api/admin/webhooks/${a.id}`, { token });
      expect(list.body.data.find((e: { id: string }) => e.id === b.id).headers).toEqual({ 'X-Token': '********' });
      expect(detail.body.headers).toEqual({ 'X-Api-Key': '********', Authorization: '********', 'X-Added': '********' });
      const read = JSON.stringify([list.body, detail.body]);
      for (const value of ['whsec_', ...Object.values(credentials)]) expect(read).not.toContain(value);
    }

    // Deliveries carry the real values and verify with the secrets the admin was shown.
    await ctx.tenant.postEvent('secret.check', { n: 1 });
    const requests = await receiver.waitForRequests(2, 60_000);
    const toA = requests.find((r) => r.path === '/a')!;
    const toB = requests.find((r) => r.path === '/b')!;
    expect([verifies(rotated.body.secret, toA), verifies(given, toA), verifies(givenOnRotation, toB), verifies(b.secret, toB)]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([toA.headers['x-api-key'], toA.headers.authorization, toA.headers['x-added'], toB.headers['x-token']]).toEqual([
      credentials.apiKey,
      `Bearer ${credentials.bearer}`,
      credentials.added,
      credentials.patched,
    ]);

    // The raw topic from offset 0: every endpoint record there, and not one secret or header value.
    const records = await configTopic();
    expect(records.filter((r) => r.key === configKey('endpoint', a.id))).toHaveLength(3);
    const text = records.map((r) => r.value).join('\n');
    const plain = [given, a.secret, b.secret, rotated.body.secret, givenOnRotation, ...Object.values(credentials)];
    for (const value of plain) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(value.replace(/^whsec_/, ''));
    }
    const sealed = records.filter((r) => r.key.startsWith('endpoint:')).map((r) => JSON.parse(r.value) as EndpointRecord);
    expect(sealed.flatMap((e) => e.secrets.map((s) => s.secret))).toEqual(
      expect.arrayContaining([expect.objectContaining({ sealed: 'aes-256-gcm', kid: 'first' })]),
    );
  });

  it('delivers records of the previous (plain) shape, and the re-seal command moves every value to the new key', async () => {
    const receiver = await ctx.receiver();
    // An endpoint as versions before sealing wrote it: plain secret and header value.
    const legacySecret = whsec();
    const at = new Date().toISOString();
    const legacy: EndpointRecord = {
      kind: 'endpoint',
      id: random('ep_legacy'),
      tenantId: ctx.tenant.id,
      name: 'legacy',
      url: `${receiver.url}/legacy`,
      events: ['reseal.check'],
      secrets: [{ secret: legacySecret }],
      headers: { 'X-Legacy': 'legacy-credential' },
      isActive: true,
      createdAt: at,
      updatedAt: at,
    };
    await publisher.append(`${ctx.hookline.namespace}.config`, { key: configKey('endpoint', legacy.id), value: JSON.stringify(legacy) });
    const current = await ctx.tenant.createEndpoint({
      url: `${receiver.url}/current`,
      events: ['reseal.check'],
      headers: { 'X-Current': 'c' },
    });
    // Config-api's view has the legacy record once it lists it.
    await eventually(async () => (await ctx.tenant.admin('GET', `/webhooks/${legacy.id}`)).status === 200);

    await ctx.tenant.postEvent('reseal.check', { n: 1 });
    const before = await receiver.waitForRequests(2, 60_000);
    const legacyDelivery = before.find((r) => r.path === '/legacy')!;
    expect([verifies(legacySecret, legacyDelivery), legacyDelivery.headers['x-legacy']]).toEqual([true, 'legacy-credential']);

    // Re-seal with the next key first: the command writes each endpoint again, every value under `next`.
    const report = await runReseal(`${nextKey},${firstKey}`);
    expect(report).toMatchObject({ failed: [] });
    expect(report.resealed).toBeGreaterThanOrEqual(2);
    const latest = new Map((await configTopic()).map((r) => [r.key, r.value]));
    for (const id of [legacy.id, current.id]) {
      const stored = JSON.parse(latest.get(configKey('endpoint', id))!) as EndpointRecord;
      const values = [...stored.secrets.map((s) => s.secret), ...Object.values(stored.headers ?? {})];
      expect(
        values.every((v) => typeof v === 'object' && v.kid === 'next'),
        id,
      ).toBe(true);
    }
    expect(latest.get(configKey('endpoint', legacy.id))).not.toContain(legacySecret);
    expect(await runReseal(`${nextKey},${firstKey}`)).toMatchObject({ resealed: 0, failed: [] });

    // Delivery opens the re-sealed values.
    await ctx.tenant.postEvent('reseal.check', { n: 2 });
    const after = (await receiver.waitForRequests(4, 60_000)).slice(2);
    const again = after.find((r) => r.path === '/legacy')!;
    expect([verifies(legacySecret, again), again.headers['x-legacy']]).toEqual([true, 'legacy-credential']);
    expect([verifies(current.secret, after.find((r) => r.path === '/current')!)]).toEqual([true]);
  });
});

/** Runs the re-seal command as an operator would, against this file's topics, and returns its JSON report. */
async function runReseal(keyring: string): Promise<{ endpoints: number; resealed: number; failed: unknown[] }> {
  const fromBuild = process.env.HOOKLINE_SERVICES_FROM_BUILD === '1';
  const main = join(repoRoot, 'services', 'config-api', fromBuild ? 'dist/reseal-main.js' : 'src/reseal-main.ts');
  const child = spawn(process.execPath, [...(fromBuild ? [] : ['--conditions=@hookline/source', '--import', 'tsx']), main], {
    cwd: repoRoot,
    env: { ...ctx.hookline.env('config-api'), HOOKLINE_SECRETS_KEY: keyring, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout.split('\n').find((line) => line.includes('"resealed"'))!);
}
