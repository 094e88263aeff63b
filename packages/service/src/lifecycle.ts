import type { Logger } from 'pino';
import { warnAboutMissingNodeFlags } from './node-flags.js';

export type ServicePhase = 'starting' | 'running' | 'stopping';

/** Where this process is in its life; `/ready` answers 200 only while `running`. One per `runService`. */
export class ServiceLifecycle {
  #phase: ServicePhase = 'starting';

  get phase(): ServicePhase {
    return this.#phase;
  }

  running(): void {
    this.#phase = 'running';
  }

  stopping(): void {
    this.#phase = 'stopping';
  }

  /**
   * For an app built without `runService`'s lifecycle: running from now on, stopping at the first SIGTERM or
   * SIGINT (what `runService` does on those signals), so `/ready` still drains a stopping process.
   */
  static followingSignals(): ServiceLifecycle {
    const lifecycle = new ServiceLifecycle();
    lifecycle.running();
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        lifecycle.stopping();
        // Nobody else handles the signal (no `runService`): its default, ending the process, still applies.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
    return lifecycle;
  }
}

export interface RunningService {
  /** Stops taking new work, finishes or hands back what is in flight, commits, and releases connections. */
  stop(): Promise<void>;
}

/**
 * Runs a service until SIGTERM/SIGINT, then stops it gracefully; a second signal or a stop that takes longer
 * than `graceMs` exits at once (Kafka redelivers whatever was not committed). `start` gets the lifecycle to
 * hand to `createHttpApp` (its `/ready`).
 */
export async function runService(
  logger: Logger,
  start: (lifecycle: ServiceLifecycle) => Promise<RunningService>,
  graceMs = 15_000,
): Promise<void> {
  warnAboutMissingNodeFlags(logger);
  const lifecycle = new ServiceLifecycle();
  let running: RunningService;
  try {
    running = await start(lifecycle);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
  lifecycle.running();
  logger.info('started');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    lifecycle.stopping();
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.warn('graceful stop timed out');
      process.exit(1);
    }, graceMs);
    timer.unref();
    running.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
