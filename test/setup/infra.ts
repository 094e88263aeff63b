import { type InfraUrls, startInfra } from '@hookline/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: InfraUrls;
  }
}

/** Starts (or finds) the real infrastructure once for the whole e2e run. */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const infra = await startInfra();
  console.log(
    `infrastructure (${infra.source}) ready in ${Date.now() - started} ms: kafka ${infra.kafkaBrokers}, mongo ${infra.mongoUrl}, registry ${infra.schemaRegistryUrl ?? 'none'}`,
  );
  const { stop, ...urls } = infra;
  project.provide('infra', urls);
  return stop;
}
