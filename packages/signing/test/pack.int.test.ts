/**
 * `@hookline/signing` as a subscriber gets it: `pnpm pack` makes the tarball, which is installed in a clean
 * folder outside the workspace (offline, from the local pnpm store: no registry), then used from plain Node
 * (ESM) and type-checked from TypeScript. Catches exports that point at TypeScript source, files left out of
 * the tarball and declarations that do not resolve.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(packageDir, '../..');
const pnpm = (args: string[], cwd: string) =>
  run('corepack', ['pnpm', ...args], {
    cwd,
    env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', COREPACK_INTEGRITY_KEYS: '0' },
    maxBuffer: 16 * 1024 * 1024,
  });

const plainNodeCheck = `
import { signatureHeaders, verify, hexSignature, WebhookVerificationFailed } from '@hookline/signing';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = JSON.stringify({ type: 'project.created', data: { id: 'p_1' } });
for (const scheme of [{ kind: 'standard-webhooks' }, { kind: 'hmac-sha256-hex', prefix: 'sha256=' }]) {
  const headers = signatureHeaders(scheme, [secret], 'msg_1', new Date(), body);
  verify(scheme, headers, body, secret);
  try {
    verify(scheme, headers, body + ' ', secret);
    throw new Error('a changed body verified');
  } catch (error) {
    if (!(error instanceof WebhookVerificationFailed) || error.reason !== 'signature_mismatch') throw error;
  }
}
// The hex schemes' key is the whole secret string as UTF-8 (packages/signing/README.md).
const { createHmac } = await import('node:crypto');
if (hexSignature(secret, 'x') !== createHmac('sha256', secret).update('x').digest('hex')) throw new Error('hex key');
console.log('verified');
`;

const typeScriptCheck = `
import { verify, WebhookVerificationFailed, type SignatureScheme } from '@hookline/signing';

const scheme: SignatureScheme = { kind: 'hmac-sha256-hex', headerName: 'x-twig-signature' };
export function accept(headers: Record<string, string>, rawBody: string, secret: string): boolean {
  try {
    verify(scheme, headers, rawBody, secret);
    return true;
  } catch (error) {
    if (!(error instanceof WebhookVerificationFailed)) throw error;
    console.warn(\`refused: \${error.reason}\`);
    return false;
  }
}
// @ts-expect-error: the scheme's kind is checked against the package's declarations.
export const wrong: SignatureScheme = { kind: 'not-a-scheme' };
`;

describe('@hookline/signing from its packed tarball', () => {
  let workDir: string;
  let consumerDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'hookline-signing-pack-'));
    await pnpm(['pack', '--pack-destination', workDir], packageDir);
    const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    consumerDir = join(workDir, 'subscriber');
    // Its dependencies (standardwebhooks, zod) and @types/node come from this checkout's node_modules (`link:`), so the
    // install needs neither the registry nor its metadata; the tarball itself is installed as any subscriber would.
    const linkTo = (from: string, name: string) => `link:${realpathSync(join(from, 'node_modules', name))}`;
    rmSync(consumerDir, { recursive: true, force: true });
    mkdirSync(consumerDir, { recursive: true });
    writeFileSync(
      join(consumerDir, 'package.json'),
      JSON.stringify({
        name: 'subscriber',
        private: true,
        type: 'module',
        packageManager: 'pnpm@10.34.8',
        dependencies: { '@hookline/signing': `file:../${tarball}` },
        devDependencies: { '@types/node': linkTo(repoRoot, '@types/node') },
        pnpm: { overrides: { standardwebhooks: linkTo(packageDir, 'standardwebhooks'), zod: linkTo(packageDir, 'zod') } },
      }),
    );
    await pnpm(['install', '--offline', '--reporter=silent'], consumerDir);
  }, 120_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('the tarball holds the compiled code and declarations, not the source', async () => {
    const { stdout } = await run('tar', ['-tzf', join(workDir, readdirSync(workDir).find((name) => name.endsWith('.tgz'))!)]);
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/README.md');
    expect(files.filter((file) => file.startsWith('package/src/') || file.startsWith('package/test/'))).toEqual([]);
  });

  it('signs and verifies from plain Node (ESM, no TypeScript loader)', async () => {
    writeFileSync(join(consumerDir, 'check.mjs'), plainNodeCheck);
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: consumerDir });
    expect(stdout.trim()).toBe('verified');
  });

  it('type-checks a TypeScript subscriber against its declarations', async () => {
    writeFileSync(join(consumerDir, 'check.ts'), typeScriptCheck);
    writeFileSync(
      join(consumerDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(run(process.execPath, [tsc, '-p', consumerDir])).resolves.toBeDefined();
  });
});
