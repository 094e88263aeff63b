import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiClientFiles, apiClientPackage } from '../../../scripts/generate-api-clients.js';

describe('generated API client files', () => {
  it('match the documents the services build now (run `corepack pnpm gen:api` when this fails)', async () => {
    const files = await apiClientFiles();
    expect(files.map((f) => f.path).sort()).toEqual([
      'openapi/config-api.json',
      'openapi/ingest.json',
      'src/generated/config-api.ts',
      'src/generated/ingest.ts',
    ]);
    for (const file of files) {
      const committed = await readFile(join(apiClientPackage, file.path), 'utf8');
      // One assertion per file, so the failure names the stale one without printing 100 KB of diff first.
      expect(committed === file.contents, `packages/api-client/${file.path} is stale: run \`corepack pnpm gen:api\``).toBe(true);
    }
  });
});
