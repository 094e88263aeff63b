import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type InfraUrls, type LocalInfraOptions, repoRoot, startLocalInfra, stopLocalInfra } from '@hookline/testkit';
import type { TestProject } from 'vitest/node';
import { faultProfile, summaryFile } from './support/profile.js';

declare module 'vitest' {
  export interface ProvidedContext {
    faultInfra: { urls: InfraUrls; local: LocalInfraOptions };
  }
}

/**
 * The fault suite stops the broker, the MongoDB-wire server and the schema registry, so it runs on its own
 * instance of the infrastructure (own data directory and ports), never on the shared one other test runs use.
 * Stopped and deleted at the end unless HOOKLINE_FAULTS_KEEP_INFRA=1.
 */
export const faultInfraOptions: LocalInfraOptions = {
  dataDir: process.env.HOOKLINE_FAULTS_DATA ?? join(repoRoot, '.hookline', 'faults'),
  ports: { kafka: 29092, kafkaController: 29093, schemaRegistry: 28081, mongo: 47017 },
};

export default async function setup(project: TestProject) {
  const started = Date.now();
  const infra = await startLocalInfra(['kafka', 'registry', 'mongo'], faultInfraOptions);
  const urls: InfraUrls = {
    kafkaBrokers: infra.kafkaBrokers,
    mongoUrl: infra.mongoUrl,
    schemaRegistryUrl: infra.schemaRegistryUrl,
    source: 'local',
  };
  console.log(
    `fault suite (profile ${faultProfile().name}): own infrastructure ready in ${Date.now() - started} ms: kafka ${urls.kafkaBrokers}, mongo ${urls.mongoUrl}`,
  );
  mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
  rmSync(summaryFile, { force: true });
  project.provide('faultInfra', { urls, local: faultInfraOptions });
  return async () => {
    if (process.env.HOOKLINE_FAULTS_KEEP_INFRA === '1') return;
    await stopLocalInfra(undefined, faultInfraOptions);
    // The suite's own instance: nothing in it is worth keeping (each run uses fresh topics and databases).
    rmSync(faultInfraOptions.dataDir!, { recursive: true, force: true });
  };
}
