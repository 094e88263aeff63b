import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { freePort, type Hookline, type ServiceName, serviceNodeArgs, waitForOwnHealth } from './services.js';

const portVariable: Partial<Record<ServiceName, string>> = {
  projector: 'PROJECTOR_PORT',
  fanout: 'FANOUT_PORT',
  delivery: 'DELIVERY_PORT',
};

export interface ExtraService {
  url: string;
  /** SIGTERM (a graceful stop), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL at once: a crash. */
  kill(): Promise<void>;
}

/**
 * One more instance of a consumer service of `hookline` (same topics, database and consumer group, its own port
 * and log file `<name>-<label>.log`, from the build or the source as `hookline`'s), as production scales one
 * out. Resolves once it answers `/health`.
 */
export async function startExtraInstance(
  hookline: Hookline,
  name: ServiceName,
  label: string,
  env: Record<string, string> = {},
): Promise<ExtraService> {
  const variable = portVariable[name];
  if (!variable) throw new Error(`${name} is not a consumer service`);
  const port = await freePort();
  const child = spawn(process.execPath, serviceNodeArgs(name, hookline.fromBuild), {
    cwd: repoRoot,
    env: { ...hookline.env(name), [variable]: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(hookline.logDir, `${name}-${label}.log`), { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timeout = setTimeout(kill, 10_000);
    await exited;
    clearTimeout(timeout);
  };
  try {
    await waitForOwnHealth(url, child, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    stop,
    kill: async () => {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      kill();
      await exited;
    },
  };
}
