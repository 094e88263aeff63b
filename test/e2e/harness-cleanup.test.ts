import { createServer } from 'node:net';
import { freePort, Hookline } from '@hookline/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropNamespace } from './support/namespace-cleanup.js';

// The services that did start made this namespace's topics and database before the failed start stopped them.
const namespace = `harness${Date.now().toString(36)}`;
afterAll(() => dropNamespace(inject('infra'), namespace));

const answers = (url: string) =>
  fetch(`${url}/health`).then(
    () => true,
    () => false,
  );

describe('the test harness', () => {
  it('stops the services that did start when another fails to, so none outlives the run', async () => {
    const ports = { ingest: await freePort(), 'config-api': await freePort(), fanout: await freePort(), projector: await freePort() };
    // Delivery fails at the end of its start (its port is taken), when the others are up or nearly so.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const deliveryPort = (taken.address() as { port: number }).port;
    try {
      const start = Hookline.start({ infra: inject('infra'), namespace, ports: { ...ports, delivery: deliveryPort } });
      await expect(start).rejects.toThrow(/delivery exited/);
    } finally {
      taken.close();
    }
    const still = await Promise.all(Object.values(ports).map((port) => answers(`http://127.0.0.1:${port}`)));
    expect(still).toEqual([false, false, false, false]);
  });
});
