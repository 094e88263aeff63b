/**
 * The bench measures the services as production runs them, from their build (`node dist/main.js`). A build
 * older than its source would measure code that is not the checkout's, so the bench builds first when any
 * workspace folder's `src/` has a file newer than the oldest file of its `dist/` (tsc writes every output on
 * each build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@hookline/testkit';

/** Runs `pnpm build` if the build is stale (its output in `.hookline/build.log`); throws if it fails. */
export function ensureBuild(): void {
  const stale = staleBuilds();
  if (stale.length === 0) return;
  console.log(`  building first: the source is newer than the build in ${stale.join(', ')}`);
  const build = spawnSync('corepack', ['pnpm', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  const output = `${build.stdout ?? ''}${build.stderr ?? ''}`;
  mkdirSync(join(repoRoot, '.hookline'), { recursive: true });
  writeFileSync(join(repoRoot, '.hookline', 'build.log'), output);
  if (build.status !== 0) {
    const tail = output.trim().split('\n').slice(-30).join('\n');
    throw new Error(`pnpm build failed (full output: .hookline/build.log):\n${tail}`);
  }
}

/** Workspace folders whose build is older than their source. */
export function staleBuilds(): string[] {
  const stale: string[] = [];
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(repoRoot, group))) {
      const folder = join(repoRoot, group, name);
      if (!existsSync(join(folder, 'src')) || !existsSync(join(folder, 'tsconfig.build.json'))) continue;
      const newestSource = extremeMtime(join(folder, 'src'), Math.max, -Infinity);
      const oldestOutput = existsSync(join(folder, 'dist')) ? extremeMtime(join(folder, 'dist'), Math.min, Infinity) : -Infinity;
      if (newestSource > oldestOutput) stale.push(`${group}/${name}`);
    }
  }
  return stale;
}

function extremeMtime(dir: string, pick: (a: number, b: number) => number, start: number): number {
  let result = start;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    result = pick(result, entry.isDirectory() ? extremeMtime(path, pick, start) : statSync(path).mtimeMs);
  }
  return result;
}
