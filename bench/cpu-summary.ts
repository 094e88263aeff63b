/**
 * Where a service's CPU went, from a profile written with BENCH_CPU_PROF: self time by function and by package
 * (node_modules/<package>, node: internals, or the repository's own code).
 * `node --import tsx bench/cpu-summary.ts <file.cpuprofile> [top]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: bench/cpu-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const { callFrame } = nodes.get(id)!;
  const micros = profile.timeDeltas[i] ?? 0;
  total += micros;
  const where = callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
  const name = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  const pkg = callFrame.url.includes('node_modules')
    ? (/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(callFrame.url)?.[1] ?? 'node_modules')
    : callFrame.url.startsWith('node:')
      ? 'node internals'
      : callFrame.url
        ? (/\/(services\/[^/]+|packages\/[^/]+)\//.exec(callFrame.url)?.[1] ?? 'other code')
        : callFrame.functionName || '(native)';
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
});
const top = Number(topArg ?? 25);
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('self time by package', byPackage);
show('self time by function', byFunction);
