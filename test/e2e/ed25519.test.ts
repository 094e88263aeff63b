import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

const context = useHookline();

/** Verifies a delivery as a subscriber following the Standard Webhooks specification would, with libsodium alone. */
function libsodiumVerifies(publicKey: string, headers: Record<string, unknown>, body: string): boolean {
  const signed = new TextEncoder().encode(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`);
  return String(headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      return (
        version === 'v1a' &&
        sodium.crypto_sign_verify_detached(
          Buffer.from(signature!, 'base64'),
          signed,
          Buffer.from(publicKey.slice('whpk_'.length), 'base64'),
        )
      );
    });
}

describe('Ed25519 signatures (Standard Webhooks v1a)', () => {
  it('signs with the endpoint key; receivers verify with the published whpk_ key, also across a rotation', async () => {
    await sodium.ready;
    const r = await context.receiver();
    const endpoint = await context.tenant.createEndpoint({ url: r.url, events: ['signed.*'], signature: { kind: 'ed25519' } });
    const [publicKey] = endpoint.publicKeys as string[];
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const read = await context.tenant.admin('GET', `/webhooks/${endpoint.id}`);
    expect(read.body.publicKeys).toEqual([publicKey]);

    await context.tenant.postEvent('signed.one', { n: 1 });
    const [first] = await r.waitForRequests(1);
    expect(String(first!.headers['webhook-signature'])).toMatch(/^v1a,/);
    expect(libsodiumVerifies(publicKey!, first!.headers, first!.body)).toBe(true);
    expect(libsodiumVerifies(publicKey!, first!.headers, `${first!.body} `)).toBe(false);

    const rotated = await context.tenant.admin('POST', `/webhooks/${endpoint.id}/secret/rotate`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(200);
    const next = rotated.body.publicKey as string;
    expect((await context.tenant.admin('GET', `/webhooks/${endpoint.id}`)).body.publicKeys).toEqual([next, publicKey]);
    await context.tenant.postEvent('signed.two', { n: 2 });
    const [, second] = await r.waitForRequests(2);
    // During the overlap both keys sign: a receiver holding either one accepts.
    expect(libsodiumVerifies(publicKey!, second!.headers, second!.body)).toBe(true);
    expect(libsodiumVerifies(next, second!.headers, second!.body)).toBe(true);
  });
});
