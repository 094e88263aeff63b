/**
 * `corepack pnpm gen:api`: writes the admin API's and ingest's OpenAPI documents, and the TypeScript types
 * openapi-fetch needs, into `packages/api-client` (committed). Run it after changing a route's schemas;
 * `packages/api-client/test/generated.test.ts` fails until the committed files match the services again.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type GeneratedFile, generateApiClientFiles } from '../packages/api-client/src/generate.js';
import { configApiOpenApi } from '../services/config-api/src/openapi.js';
import { ingestOpenApi } from '../services/ingest/src/openapi.js';

export const apiClientPackage = fileURLToPath(new URL('../packages/api-client/', import.meta.url));

/** The generated files as they should be, built in memory from the services' documents. */
export function apiClientFiles(): Promise<GeneratedFile[]> {
  return generateApiClientFiles([
    { name: 'config-api', source: 'configApiOpenApi() in services/config-api/src/openapi.ts', document: configApiOpenApi() },
    { name: 'ingest', source: 'ingestOpenApi() in services/ingest/src/openapi.ts', document: ingestOpenApi() },
  ]);
}

async function main(): Promise<void> {
  for (const file of await apiClientFiles()) {
    const target = join(apiClientPackage, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.contents);
    console.log(`wrote packages/api-client/${file.path}`);
  }
}

// Imported by the staleness test, run by `pnpm gen:api`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
