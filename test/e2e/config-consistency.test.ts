import { type ChildProcess, spawn } from 'node:child_process';
import { eventually, freePort, type Hookline, repoRoot, requestJson, serviceNodeArgs } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';

const context = useHookline();

/** A second config-api process on the same topics and database (deployments run several). */
async function startSecondConfigApi(hookline: Hookline): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, serviceNodeArgs('config-api', process.env.HOOKLINE_SERVICES_FROM_BUILD === '1'), {
    cwd: repoRoot,
    env: { ...hookline.env('config-api'), CONFIG_API_PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 60_000);
  return { url, child };
}

let second: { url: string; child: ChildProcess };
beforeAll(async () => {
  second = await startSecondConfigApi(context.hookline);
});
afterAll(async () => {
  if (second?.child.exitCode === null) {
    const ended = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    await ended;
  }
});

describe('config writes are compare-and-set across config-api processes', () => {
  it('a PATCH racing a secret rotation never puts the old secret back, and neither change is lost', async () => {
    const { tenant } = context;
    const r = await context.receiver();
    const endpoints = 16;
    const rounds = 3;
    const created = await Promise.all(
      Array.from({ length: endpoints }, (_, i) =>
        tenant.createEndpoint({ name: `race-${i}`, url: `${r.url}/ep/${i}`, events: ['race.check'] }),
      ),
    );
    const onSecond = (method: string, path: string, body?: unknown) =>
      requestJson(method, `${second.url}/api/admin${path}`, { token: tenant.apiKey, ...(body === undefined ? {} : { body }) });
    const shown = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        created.map(async (endpoint) => {
          // One process edits the description while the other rotates the secret, at the same moment.
          const [patched, rotated] = await Promise.all([
            tenant.admin('PATCH', `/webhooks/${endpoint.id}`, { description: `round ${round}` }),
            onSecond('POST', `/webhooks/${endpoint.id}/secret/rotate`, {}),
          ]);
          expect(patched.status).toBe(200);
          expect(rotated.status).toBe(200);
          shown.set(endpoint.id, rotated.body.secret);
        }),
      );
    }

    // Both processes agree, and the last description stayed.
    for (const endpoint of created) {
      const [a, b] = await Promise.all([tenant.admin('GET', `/webhooks/${endpoint.id}`), onSecond('GET', `/webhooks/${endpoint.id}`)]);
      expect(a.body.description).toBe(`round ${rounds - 1}`);
      expect(b.body).toEqual(a.body);
    }

    // Every endpoint signs with the secret its last rotation showed.
    await tenant.postEvent('race.check', { n: 1 });
    const bodies = await r.waitForRequests(endpoints, 60_000);
    const failed: string[] = [];
    for (const [i, endpoint] of created.entries()) {
      const request = bodies.find((q) => q.path === `/ep/${i}`)!;
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      try {
        new Webhook(shown.get(endpoint.id)!).verify(request.body, headers);
      } catch {
        failed.push(endpoint.id);
      }
    }
    expect(failed).toEqual([]);
  });
});
