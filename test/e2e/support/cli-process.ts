import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `hookline` binary, as users run it. */
const bin = fileURLToPath(new URL('../../../cli/bin/hookline.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A `hookline` process whose output a test reads while it runs (listen, tail). */
export class CliProcess {
  /** Every process started, so a test file can stop what is left (`stopAll`) whatever happened. */
  private static readonly started = new Set<CliProcess>();
  stdout = '';
  stderr = '';
  private readonly exited: Promise<CliResult>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr })));
    CliProcess.started.add(this);
    void this.exited.then(() => CliProcess.started.delete(this));
  }

  static async stopAll(): Promise<void> {
    await Promise.all([...CliProcess.started].map((p) => p.stop('SIGKILL')));
  }

  static start(args: string[], env: Record<string, string>, input?: string | Buffer): CliProcess {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: 'pipe' });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    return new CliProcess(child);
  }

  /** Waits until stdout matches `pattern` and returns the match; fails with what was printed otherwise. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    // Checked again whenever output arrives or the process ends: no polling.
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.stdout.match(pattern);
        if (match) return done(() => resolve(match));
        if (this.child.exitCode !== null) return done(() => reject(this.mismatch(pattern)));
      };
      const timer = setTimeout(() => done(() => reject(this.mismatch(pattern))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.child.stdout.off('data', onData);
        this.child.off('exit', check);
        settle();
      };
      // After the class's own listener has appended the chunk.
      const onData = () => queueMicrotask(check);
      this.child.stdout.on('data', onData);
      this.child.on('exit', check);
      check();
    });
  }

  private mismatch(pattern: RegExp): Error {
    return new Error(
      `hookline output did not match ${pattern} (exit ${this.child.exitCode})\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
    );
  }

  /** Sends `signal` and waits for the exit. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<CliResult> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }

  done(timeoutMs = 120_000): Promise<CliResult> {
    return Promise.race([
      this.exited,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`hookline did not finish within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
  }
}

/** Runs `hookline <args>` to completion (with `input` on stdin). */
export function runCli(args: string[], env: Record<string, string>, input?: string | Buffer): Promise<CliResult> {
  return CliProcess.start(args, env, input).done();
}
