import type { Logger } from 'pino';

/**
 * The Node flags every Hookline service runs with, in production (each service's `start` script, kept equal to
 * this by a test) and under the tests and the bench (`serviceNodeArgs` in @hookline/testkit). Node refuses V8 flags
 * in `NODE_OPTIONS` and ignores them once the process runs, so they must be on the command line.
 *
 * `--no-memory-reducer` (docs/decisions.md, "Services run without V8's memory reducer"): after a quiet spell V8's
 * memory reducer shrinks the heap, and a process that then gets busy again stays in its "grow slowly" mode for as
 * long as it stays busy, collecting its old generation every few hundred milliseconds at 1.3x its live size.
 * Measured in the bench, that doubled ingest's CPU per event (0.9 to 1.7-2.2 ms at 10 endpoints).
 */
export const serviceNodeFlags = ['--enable-source-maps', '--no-memory-reducer'] as const;

/** The flags of `serviceNodeFlags` that change how the service runs (source maps only change stack traces). */
const runtimeFlags = ['--no-memory-reducer'];

/** The flags of `serviceNodeFlags` that change how it runs and that this process was started without (`runService` warns). */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return runtimeFlags.filter((flag) => !execArgv.includes(flag));
}

/** Says once, at start, that the process runs without flags it should have (it works, at a cost under load). */
export function warnAboutMissingNodeFlags(logger: Logger, execArgv: readonly string[] = process.execArgv): void {
  const missing = missingNodeFlags(execArgv);
  if (missing.length === 0) return;
  logger.warn(
    { missing, expected: serviceNodeFlags },
    'started without Node flags the services expect (see the start script); after a quiet spell, GC may cost up to twice the CPU under load',
  );
}
