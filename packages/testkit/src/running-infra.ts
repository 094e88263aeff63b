/**
 * What every source of test infrastructure hands back (environment, testcontainers, the project's scripts).
 * A file of its own so that `infra.ts` (which picks the source) and `containers.ts` (one source) both import it
 * without importing each other.
 */

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
