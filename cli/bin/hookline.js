#!/usr/bin/env node
// The CLI runs its TypeScript source through tsx, like the services (docs/decisions.md): no build step.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/main.ts');
await run(process.argv);
