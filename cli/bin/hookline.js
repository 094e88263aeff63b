#!/usr/bin/env node
// The hookline CLI from its build (`corepack pnpm build`); `corepack pnpm --filter @hookline/cli dev` runs the source.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('hookline: the CLI is not built yet; run `corepack pnpm build` (or `./dev up`) first');
  process.exit(2);
}
const { run } = await import(main.href);
await run(process.argv);
