import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { serviceNodeFlags } from '@hookline/service';
import { repoRoot } from './paths.js';
import type { InfraUrls } from './running-infra.js';

export const serviceNames = ['ingest', 'config-api', 'fanout', 'delivery', 'projector'] as const;
export type ServiceName = (typeof serviceNames)[number];

const portVariable: Record<ServiceName, string> = {
  ingest: 'INGEST_PORT',
  'config-api': 'CONFIG_API_PORT',
  fanout: 'FANOUT_PORT',
  delivery: 'DELIVERY_PORT',
  projector: 'PROJECTOR_PORT',
};

export interface HooklineOptions {
  infra: InfraUrls;
  /** Topic prefix and database name; unique per test file so runs never see each other's data. */
  namespace?: string;
  env?: Record<string, string>;
  /** Directory for each service's log file. */
  logDir?: string;
  /** Fixed ports (for `./dev up`); free ones are picked otherwise. */
  ports?: Partial<Record<ServiceName, number>>;
  rootToken?: string;
  /** The keyring sealing endpoint secrets (HOOKLINE_SECRETS_KEY, docs/secrets.md); a new random key otherwise. */
  secretsKey?: string;
  /**
   * Run each service as production does, `node dist/main.js` from the build (`pnpm build` first), instead of its
   * TypeScript source through tsx. Default: HOOKLINE_SERVICES_FROM_BUILD=1 in the environment (`./dev test` sets it).
   */
  fromBuild?: boolean;
}

/**
 * Node arguments that run one service, with the flags production gives it (`serviceNodeFlags`). From source: tsx,
 * with the `@hookline/source` export condition so the workspace packages it imports are read from their `src/` too
 * (no build needed). From the build: plain node, as the services' `start` scripts run it.
 */
export function serviceNodeArgs(name: ServiceName, fromBuild = false): string[] {
  return fromBuild
    ? [...serviceNodeFlags, join(repoRoot, 'services', name, 'dist', 'main.js')]
    : [...serviceNodeFlags, '--conditions=@hookline/source', '--import', 'tsx', join(repoRoot, 'services', name, 'src', 'main.ts')];
}

/** The five services running as separate processes, as in production. */
export class Hookline {
  readonly rootToken: string;
  readonly secretsKey: string;
  readonly namespace: string;
  readonly ports = {} as Record<ServiceName, number>;
  private readonly processes = new Map<ServiceName, ChildProcess>();
  /** Where each service writes its log (`<name>.log`). */
  readonly logDir: string;
  /** Whether the services run from their build (`dist/main.js`) or their source (tsx). */
  readonly fromBuild: boolean;
  /** Kills what is still running if the test process exits without `stop()` (a crash, an aborted run). */
  private readonly killOnExit = () => {
    for (const child of this.processes.values()) child.kill('SIGKILL');
  };

  private constructor(private readonly options: HooklineOptions) {
    this.rootToken = options.rootToken ?? `root_${randomBytes(16).toString('hex')}`;
    this.secretsKey = options.secretsKey ?? `test:${randomBytes(32).toString('base64')}`;
    this.namespace = options.namespace ?? `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    this.logDir = options.logDir ?? join(repoRoot, '.hookline', 'test-logs', this.namespace);
    mkdirSync(this.logDir, { recursive: true });
    this.fromBuild = options.fromBuild ?? process.env.HOOKLINE_SERVICES_FROM_BUILD === '1';
    process.once('exit', this.killOnExit);
  }

  static async start(options: HooklineOptions): Promise<Hookline> {
    const hookline = new Hookline(options);
    for (const name of serviceNames) hookline.ports[name] = options.ports?.[name] ?? (await freePort());
    const started = await Promise.allSettled(
      serviceNames.map((name) => hookline.startOnFreePort(name, options.ports?.[name] === undefined)),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      // The caller never gets this object to stop: stop what did start, or it outlives the test run.
      await hookline.stop();
      throw failed.reason;
    }
    return hookline;
  }

  get ingestUrl(): string {
    return `http://127.0.0.1:${this.ports.ingest}`;
  }

  get configApiUrl(): string {
    return `http://127.0.0.1:${this.ports['config-api']}`;
  }

  serviceUrl(name: ServiceName): string {
    return `http://127.0.0.1:${this.ports[name]}`;
  }

  env(name: ServiceName, extra: Record<string, string> = {}): Record<string, string> {
    const { infra } = this.options;
    return {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KAFKA_BROKERS: infra.kafkaBrokers,
      // TLS and SASL towards the brokers, as the caller's environment sets them (e.g. `./dev up` against a secured broker).
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name, value]) => name.startsWith('HOOKLINE_KAFKA_') && value !== undefined),
      ),
      MONGO_URL: infra.mongoUrl,
      ...(infra.schemaRegistryUrl ? { SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl } : {}),
      MONGO_DB: this.namespace,
      HOOKLINE_TOPIC_PREFIX: `${this.namespace}.`,
      HOOKLINE_ROOT_TOKEN: this.rootToken,
      HOOKLINE_SECRETS_KEY: this.secretsKey,
      // Webhook URLs on this ingest are refused (its deliveries would come back as events).
      HOOKLINE_INGEST_ORIGINS: this.ingestUrl,
      FANOUT_GROUP_ID: `${this.namespace}-fanout`,
      DELIVERY_GROUP_ID: `${this.namespace}-delivery`,
      PROJECTOR_GROUP_ID: `${this.namespace}-projector`,
      LOG_LEVEL: process.env.HOOKLINE_TEST_LOG_LEVEL ?? 'info',
      // Test receivers listen on loopback; the SSRF tests override this.
      DELIVERY_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8,::1/128',
      [portVariable[name]]: String(this.ports[name]),
      ...this.options.env,
      ...extra,
    };
  }

  /**
   * The first start of a service. A port `freePort` found free can be taken by another process before the service
   * binds it (CI saw `EADDRINUSE`); a port the caller did not choose is then chosen again, up to three times.
   */
  private async startOnFreePort(name: ServiceName, mayMove: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startService(name);
      } catch (error) {
        if (!(error instanceof PortTakenError) || !mayMove || attempt >= 3) throw error;
        this.ports[name] = await freePort();
      }
    }
  }

  /** Starts one service (with `extraEnv` over the run's environment) and resolves when its HTTP port answers `/health`. */
  async startService(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<void> {
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, serviceNodeArgs(name, this.fromBuild), {
      cwd: repoRoot,
      env: this.env(name, extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    let portTaken = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      portTaken ||= chunk.includes('EADDRINUSE');
    });
    this.processes.set(name, child);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => {
        const message = `${name} exited with ${code} during start; see ${this.logDir}/${name}.log`;
        reject(portTaken ? new PortTakenError(message) : new Error(message));
      }),
    );
    await Promise.race([waitForOwnHealth(this.serviceUrl(name), child, 60_000), exited]);
  }

  /** True while the service's process runs (false once it has exited, e.g. after a crash). */
  isRunning(name: ServiceName): boolean {
    const child = this.processes.get(name);
    return Boolean(child && child.exitCode === null && child.signalCode === null);
  }

  /** Sends a signal (SIGKILL for a crash, SIGTERM for a graceful stop) and waits for the process to end. */
  async signal(name: ServiceName, signal: NodeJS.Signals): Promise<void> {
    const child = this.processes.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await ended;
    this.processes.delete(name);
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.processes.keys()].map(async (name) => {
        const done = this.signal(name, 'SIGTERM');
        const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
        await Promise.race([done, timeout]);
        await this.signal(name, 'SIGKILL');
      }),
    );
    process.off('exit', this.killOnExit);
  }
}

/**
 * Resolves once `url` answers `/health` from `child` itself (its pid in the answer). Another process's answer on
 * the port does not count: a port found free can be taken by another test's service before `child` binds it,
 * and `child` then exits with EADDRINUSE while the other one answers (CI saw a test talk to a foreign service).
 */
export async function waitForOwnHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok && ((await response.json()) as { pid?: number }).pid === child.pid) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/health did not answer from pid ${child.pid} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A service exited during its start because its port was taken (`EADDRINUSE`). */
export class PortTakenError extends Error {
  override name = 'PortTakenError';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
