import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingNodeFlags, serviceNodeFlags, warnAboutMissingNodeFlags } from '../src/index.js';

const services = ['ingest', 'config-api', 'fanout', 'delivery', 'projector'];

describe('the Node flags of a service', () => {
  it.each(services)("are the ones %s's start script (production's start) runs it with", (name) => {
    const manifest = JSON.parse(readFileSync(new URL(`../../../services/${name}/package.json`, import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.start).toBe(`node ${serviceNodeFlags.join(' ')} dist/main.js`);
  });

  it('are missing when the process runs with the memory reducer, and a warning names them once at start', () => {
    expect(missingNodeFlags(['--enable-source-maps'])).toEqual(['--no-memory-reducer']);
    expect(missingNodeFlags([...serviceNodeFlags])).toEqual([]);
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => warnings.push(fields) } as unknown as Parameters<typeof warnAboutMissingNodeFlags>[0];
    warnAboutMissingNodeFlags(logger, [...serviceNodeFlags]);
    expect(warnings).toEqual([]);
    warnAboutMissingNodeFlags(logger, []);
    expect(warnings).toEqual([{ missing: ['--no-memory-reducer'], expected: serviceNodeFlags }]);
  });
});
