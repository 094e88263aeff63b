import { type ChildProcess, spawn } from 'node:child_process';
import { eventually, freePort, type Hookline, repoRoot, requestJson, serviceNodeArgs, waitForOwnHealth } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { deadLetterCount, settleWithSentinel } from './support/settle.js';

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
  await waitForOwnHealth(url, child, 60_000);
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

describe('replay takes a fixed set of letters', () => {
  it('with a receiver that fails again: the job ends, each letter is sent once, and the new letters are visible and unmarked', async () => {
    const { tenant } = context;
    const r = await context.receiver();
    r.respond((request) => ({ status: request.body.includes('sentinel_') ? 200 : 500 }));
    const endpoint = await tenant.createEndpoint({
      url: r.url,
      events: ['again.*'],
      retrySchedule: [],
      disableAfterConsecutiveFailures: null,
    });
    // More than one batch of the job (200), so letters failing again appear while it still runs.
    const letters = 450;
    for (let from = 0; from < letters; from += 225) {
      const events = Array.from({ length: 225 }, (_, i) => ({ type: 'again.item', data: { seq: from + i } }));
      const posted = await requestJson('POST', `${context.hookline.ingestUrl}/v1/events/batch`, { token: tenant.apiKey, body: { events } });
      expect(posted.status).toBe(202);
    }
    await eventually(async () => (await deadLetterCount(tenant, endpoint.id)) === letters, 120_000, 500);

    const started = await tenant.admin('POST', `/webhooks/${endpoint.id}/replay`, {});
    expect(started.status).toBe(202);
    expect(started.body.total).toBe(letters);
    const job = await eventually(
      async () => {
        const polled = await tenant.admin('GET', `/replays/${started.body.jobId}`);
        return polled.body.state === 'done' ? polled.body : undefined;
      },
      120_000,
      200,
    );
    expect(job.done).toBe(letters);

    // Every resend failed again: its new letter is dead (visible, replayable), none is marked replayed.
    const count = async (state: string) =>
      (await tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters?state=${state}&limit=500`)).body;
    await eventually(
      async () => {
        const dead = await count('dead');
        return dead.total === letters && dead.data.every((l: { attempts: number }) => l.attempts === 2);
      },
      120_000,
      500,
    );
    expect((await count('replayed')).total).toBe(0);
    // Each delivery was sent exactly twice: once first, once by the replay.
    const { others } = await settleWithSentinel(r, (sentinel) => tenant.postEvent('again.sentinel', sentinel));
    const perDelivery = new Map<string, number>();
    for (const request of others) {
      const id = String(request.headers['webhook-id']);
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    }
    expect(perDelivery.size).toBe(letters);
    expect([...perDelivery.values()].every((n) => n === 2)).toBe(true);
  }, 300_000);
});

describe('recover', () => {
  it('runs one job per endpoint at a time: a second answers 409 until the first has ended', async () => {
    const { tenant } = context;
    const r = await context.receiver();
    const endpoint = await tenant.createEndpoint({ url: r.url, events: ['recover.one'] });
    const since = new Date(Date.now() - 60_000).toISOString();
    await tenant.postEvent('recover.one', { n: 1 });
    await r.waitForRequests(1, 60_000);

    const [first, second] = await Promise.all([
      tenant.admin('POST', `/webhooks/${endpoint.id}/recover`, { since }),
      tenant.admin('POST', `/webhooks/${endpoint.id}/recover`, { since }),
    ]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const running = first.status === 202 ? first : second;
    const refused = first.status === 202 ? second : first;
    expect(refused.body.error.code).toBe('conflict');
    await eventually(async () => (await tenant.admin('GET', `/replays/${running.body.jobId}`)).body.state === 'done', 60_000);

    const again = await tenant.admin('POST', `/webhooks/${endpoint.id}/recover`, { since });
    expect(again.status).toBe(202);
    await eventually(async () => (await tenant.admin('GET', `/replays/${again.body.jobId}`)).body.state === 'done', 60_000);
    // The event once first, and once per recover.
    await r.waitForRequests(3, 60_000);
  });
});

describe('tenant creation', () => {
  it('is idempotent: a retry with the same Idempotency-Key completes the same tenant, with a new owner key', async () => {
    const { hookline } = context;
    const create = (name: string, retryKey: string) =>
      requestJson('POST', `${hookline.configApiUrl}/api/admin/tenants`, {
        token: hookline.rootToken,
        body: { name },
        headers: { 'idempotency-key': retryKey },
      });
    const retryKey = `create-${Date.now()}`;
    const first = await create('Retried', retryKey);
    const retry = await create('Retried', retryKey);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.tenant.id).toBe(first.body.tenant.id);
    expect(retry.body.apiKey.id).toBe(first.body.apiKey.id);
    const me = (key: string) => requestJson('GET', `${hookline.configApiUrl}/api/admin/me`, { token: key });
    expect((await me(retry.body.apiKey.key)).status).toBe(200);
    expect((await me(first.body.apiKey.key)).status).toBe(401);
    expect((await create('Another name', retryKey)).status).toBe(409);
  });
});
