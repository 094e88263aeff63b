import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { closeServer, createHttpApp, createLogger, listen, ServiceLifecycle } from '../src/index.js';

const servers: Awaited<ReturnType<typeof listen>>['server'][] = [];
afterAll(async () => Promise.all(servers.map((s) => closeServer(s))));

describe('/ready', () => {
  it('follows the lifecycle it is given: 503 while starting, 200 while running, 503 once stopping', async () => {
    const lifecycle = new ServiceLifecycle();
    const { server, port } = await listen(
      createHttpApp({ logger: createLogger('ready-test', 'silent'), metrics: new Registry(), lifecycle }),
      0,
    );
    servers.push(server);
    const ready = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/ready`);
      return [response.status, ((await response.json()) as { phase: string }).phase];
    };
    expect(await ready()).toEqual([503, 'starting']);
    lifecycle.running();
    expect(await ready()).toEqual([200, 'running']);
    lifecycle.stopping();
    expect(await ready()).toEqual([503, 'stopping']);
  });

  it('keeps one lifecycle per service: two are independent (no process-wide phase)', () => {
    const a = new ServiceLifecycle();
    const b = new ServiceLifecycle();
    a.running();
    expect([a.phase, b.phase]).toEqual(['running', 'starting']);
  });
});
