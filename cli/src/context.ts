import type { Command } from 'commander';
import { HooklineClient } from './client.js';
import { parseConnection } from './config.js';

/** The client for a command, from the program's global connection options (validated here, once). */
export function clientOf(command: Command): HooklineClient {
  return new HooklineClient(parseConnection(command.optsWithGlobals()));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** An AbortSignal that fires on the first SIGINT or SIGTERM (Ctrl-C), so loops can finish their cleanup. */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
