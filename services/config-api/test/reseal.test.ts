import { randomBytes } from 'node:crypto';
import { ConfigView } from '@hookline/config';
import { configKey, type EndpointRecord } from '@hookline/core';
import { createMemoryEventLog } from '@hookline/kafka';
import { EndpointSecrets, isSealed, Keyring } from '@hookline/secrets';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { resealEndpoints } from '../src/ops/reseal.js';

const at = '2026-01-01T00:00:00.000Z';
const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

/** An endpoint record as versions before sealing wrote it: plain secret and header values. */
function previousShape(id: string): EndpointRecord {
  return {
    kind: 'endpoint',
    id,
    tenantId: 'ten_1',
    name: id,
    url: 'https://receiver.test/hook',
    events: ['*'],
    secrets: [{ secret: `whsec_${id}` }],
    headers: { 'X-Api-Key': `credential-${id}` },
    isActive: true,
    createdAt: at,
    updatedAt: at,
  };
}

describe('resealEndpoints', () => {
  it('seals plain records and records of an older key with the sealing key, once', async () => {
    const log = createMemoryEventLog();
    const publisher = await log.publisher();
    const config = new ConfigView(log, 't.config', pino({ level: 'silent' }));
    await config.start();
    const oldKey = key('old');
    const underOld = new EndpointSecrets(Keyring.parse(oldKey)).sealPlain(previousShape('ep_old'));
    const lost = new EndpointSecrets(Keyring.parse(key('lost'))).sealPlain(previousShape('ep_lost'));
    for (const endpoint of [previousShape('ep_plain'), underOld, lost]) {
      await config.write(publisher, configKey('endpoint', endpoint.id), endpoint);
    }

    const secrets = new EndpointSecrets(Keyring.parse(`${key('new')},${oldKey}`));
    expect(await resealEndpoints({ config, publisher, secrets, dryRun: true })).toMatchObject({ endpoints: 3, resealed: 2 });
    expect(config.state.endpoints.get('ep_plain')!.secrets[0]!.secret).toBe('whsec_ep_plain');

    const report = await resealEndpoints({ config, publisher, secrets });
    expect(report).toEqual({
      endpoints: 3,
      resealed: 2,
      failed: [{ endpointId: 'ep_lost', reason: expect.stringMatching(/key "lost", which is not in this service's keyring/) }],
    });
    for (const id of ['ep_plain', 'ep_old']) {
      const stored = config.state.endpoints.get(id)!;
      const values = [...stored.secrets.map((s) => s.secret), ...Object.values(stored.headers!)];
      expect(values.every((v) => isSealed(v) && v.kid === 'new')).toBe(true);
      expect(secrets.liveSecrets(stored, Date.now())).toEqual([`whsec_${id}`]);
      expect(secrets.openHeaders(stored)).toEqual({ 'X-Api-Key': `credential-${id}` });
      expect(stored.updatedAt).toBe(at);
    }
    expect(await resealEndpoints({ config, publisher, secrets })).toMatchObject({ resealed: 0 });
    await config.stop();
  });
});
