import { Hookline, Receiver, TestTenant } from '@hookline/testkit';
import { afterAll, beforeAll, inject } from 'vitest';
import { dropNamespace } from './namespace-cleanup.js';

/**
 * Registers the usual lifecycle of an e2e file: the five services (with `env` overrides) and one tenant
 * before all tests, and everything stopped after them, including receivers made through `receiver()`; then the
 * namespace's topics and database are deleted.
 */
export function useHookline(env: Record<string, string> = {}, receiverHost = '127.0.0.1') {
  const receivers: Receiver[] = [];
  const context = {
    hookline: undefined as unknown as Hookline,
    tenant: undefined as unknown as TestTenant,
    async receiver(host = receiverHost): Promise<Receiver> {
      const r = await Receiver.start(host);
      receivers.push(r);
      return r;
    },
  };
  beforeAll(async () => {
    context.hookline = await Hookline.start({ infra: inject('infra'), env });
    context.tenant = await TestTenant.create(context.hookline);
  });
  afterAll(async () => {
    await Promise.all([context.hookline?.stop(), ...receivers.map((r) => r.close())]);
    if (context.hookline) await dropNamespace(inject('infra'), context.hookline.namespace);
  });
  return context;
}
