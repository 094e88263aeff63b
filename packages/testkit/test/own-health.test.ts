import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForOwnHealth } from '../src/services.js';

/** A process that is not the child: it answers `/health` like a service would, with its own pid. */
function foreignService(pid: number): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ status: 'ok', checks: {}, pid })),
  );
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })),
  );
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('waitForOwnHealth', () => {
  it("does not take another process's /health on the port for the child's", async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const foreign = await foreignService(process.pid);
    cleanups.push(
      () => child.kill('SIGKILL'),
      () => foreign.server.close(),
    );
    await expect(waitForOwnHealth(foreign.url, child, 600)).rejects.toThrow(/did not answer from pid/);
  });

  it("resolves on the child's own answer", async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const own = await foreignService(child.pid!);
    cleanups.push(
      () => child.kill('SIGKILL'),
      () => own.server.close(),
    );
    await expect(waitForOwnHealth(own.url, child, 5_000)).resolves.toBeUndefined();
  });
});
