import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const run = promisify(execFile);

/** Where the real infrastructure answers. */
export interface InfraUrls {
  kafkaBrokers: string;
  schemaRegistryUrl: string | undefined;
  mongoUrl: string;
  /** How it was obtained: from the environment, testcontainers, or the project's own scripts. */
  source: 'env' | 'testcontainers' | 'local';
}

export interface RunningInfra extends InfraUrls {
  stop(): Promise<void>;
}

/**
 * Brings up Kafka, the schema registry and a MongoDB-wire server for tests:
 * 1. URLs from the environment (KAFKA_BROKERS, MONGO_URL, SCHEMA_REGISTRY_URL) when set;
 * 2. otherwise the official images through testcontainers when a Docker engine answers;
 * 3. otherwise the project's `infra/start.sh` (Kafka from Maven Central jars, Apicurio, FerretDB).
 */
export async function startInfra(env: NodeJS.ProcessEnv = process.env): Promise<RunningInfra> {
  if (env.KAFKA_BROKERS && env.MONGO_URL) {
    return { kafkaBrokers: env.KAFKA_BROKERS, mongoUrl: env.MONGO_URL, schemaRegistryUrl: env.SCHEMA_REGISTRY_URL, source: 'env', stop: async () => {} };
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

export async function startLocalInfra(component?: 'kafka' | 'registry' | 'mongo'): Promise<RunningInfra> {
  await run('bash', [join(repoRoot, 'infra/start.sh'), ...(component ? [component] : [])], { maxBuffer: 16 * 1024 * 1024 });
  const values = readInfraEnv();
  return {
    kafkaBrokers: values.KAFKA_BROKERS!,
    mongoUrl: values.MONGO_URL!,
    schemaRegistryUrl: values.SCHEMA_REGISTRY_URL,
    source: 'local',
    // Left running on purpose: the next test run (or `pnpm start`) reuses it; `infra/stop.sh` stops it.
    stop: async () => {},
  };
}

export async function stopLocalInfra(component?: 'kafka' | 'registry' | 'mongo'): Promise<void> {
  await run('bash', [join(repoRoot, 'infra/stop.sh'), ...(component ? [component] : [])]);
}

function readInfraEnv(): Record<string, string> {
  const dataDir = process.env.HOOKLINE_DATA ?? join(repoRoot, '.hookline');
  const text = readFileSync(join(dataDir, 'infra.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
