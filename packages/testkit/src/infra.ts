import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';
import type { RunningInfra } from './running-infra.js';

export type { InfraUrls, RunningInfra } from './running-infra.js';

const run = promisify(execFile);

/**
 * Brings up Kafka, the schema registry and a MongoDB-wire server for tests:
 * 1. URLs from the environment (KAFKA_BROKERS, MONGO_URL, SCHEMA_REGISTRY_URL) when set;
 * 2. otherwise the official images through testcontainers when a Docker engine answers;
 * 3. otherwise the project's `infra/start.sh` (Kafka from Maven Central jars, Apicurio, FerretDB).
 */
export async function startInfra(env: NodeJS.ProcessEnv = process.env): Promise<RunningInfra> {
  if (env.KAFKA_BROKERS && env.MONGO_URL) {
    return {
      kafkaBrokers: env.KAFKA_BROKERS,
      mongoUrl: env.MONGO_URL,
      schemaRegistryUrl: env.SCHEMA_REGISTRY_URL,
      source: 'env',
      stop: async () => {},
    };
  }
  if (env.HOOKLINE_USE_LOCAL_INFRA !== '1' && dockerMayAnswer(env)) {
    const { startContainers } = await import('./containers.js');
    const started = await startContainers().catch(() => undefined);
    if (started) return started;
  }
  return startLocalInfra();
}

function dockerMayAnswer(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

export type InfraComponent = 'kafka' | 'registry' | 'mongo';

/**
 * Another instance of the project's infrastructure beside the default one (its own data directory and ports),
 * e.g. for tests that stop the broker while other test runs keep using theirs. Unset fields keep the defaults
 * of `infra/lib.sh` (`.hookline/`, ports 19092, 19093, 18081, 37017).
 */
export interface LocalInfraOptions {
  dataDir?: string;
  ports?: { kafka?: number; kafkaController?: number; schemaRegistry?: number; mongo?: number };
  /**
   * A broker whose listeners ask for SASL (SCRAM-SHA-256/512 and PLAIN) with these users (name → password, of
   * `[A-Za-z0-9_-]`); the first is the broker's own and its only super user. With `acls`, every other user needs
   * ACLs (`kafkaTool(['acls', ...])`). Users are fixed when the data directory is first formatted.
   */
  kafkaSasl?: { users: Record<string, string>; acls?: boolean };
}

function infraScriptEnv({ dataDir, ports = {}, kafkaSasl }: LocalInfraOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (kafkaSasl) {
    env.KAFKA_SASL_USERS = Object.entries(kafkaSasl.users)
      .map(([name, password]) => `${name}:${password}`)
      .join(',');
    if (kafkaSasl.acls) env.KAFKA_ACLS = '1';
  }
  if (dataDir) env.HOOKLINE_DATA = dataDir;
  if (ports.kafka) env.KAFKA_PORT = String(ports.kafka);
  if (ports.kafkaController) env.KAFKA_CONTROLLER_PORT = String(ports.kafkaController);
  if (ports.schemaRegistry) env.SCHEMA_REGISTRY_PORT = String(ports.schemaRegistry);
  if (ports.mongo) env.MONGO_PORT = String(ports.mongo);
  return env;
}

const asList = (components: InfraComponent | InfraComponent[] | undefined) => (components === undefined ? [] : [components].flat());

/** Starts the given components (all by default) with `infra/start.sh`; those already running are left alone. */
export async function startLocalInfra(
  components?: InfraComponent | InfraComponent[],
  options: LocalInfraOptions = {},
): Promise<RunningInfra> {
  const env = infraScriptEnv(options);
  await run('bash', [join(repoRoot, 'infra/start.sh'), ...asList(components)], { maxBuffer: 16 * 1024 * 1024, env });
  const values = readInfraEnv(env.HOOKLINE_DATA);
  return {
    kafkaBrokers: values.KAFKA_BROKERS!,
    mongoUrl: values.MONGO_URL!,
    schemaRegistryUrl: values.SCHEMA_REGISTRY_URL,
    source: 'local',
    // Left running on purpose: the next test run (or `pnpm start`) reuses it; `infra/stop.sh` stops it.
    stop: async () => {},
  };
}

/** Stops the given components (all by default): SIGTERM and a clean shutdown, or SIGKILL with `kill` (a crash). */
export async function stopLocalInfra(
  components?: InfraComponent | InfraComponent[],
  options: LocalInfraOptions & { kill?: boolean } = {},
): Promise<void> {
  const args = [join(repoRoot, 'infra/stop.sh'), ...(options.kill ? ['--kill'] : []), ...asList(components)];
  await run('bash', args, { env: infraScriptEnv(options) });
}

/**
 * Runs a Kafka command line tool of `infra/kafka-tool.sh` (`topics`, `acls`, ...) against the broker of these
 * options; on a SASL broker the tool logs in as its super user. Returns the tool's output.
 */
export async function kafkaTool(args: string[], options: LocalInfraOptions = {}): Promise<string> {
  const { stdout } = await run('bash', [join(repoRoot, 'infra/kafka-tool.sh'), ...args], {
    env: infraScriptEnv(options),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

function readInfraEnv(dataDir = join(repoRoot, '.hookline')): Record<string, string> {
  const text = readFileSync(join(dataDir, 'infra.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
