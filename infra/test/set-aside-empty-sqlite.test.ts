import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const lib = join(import.meta.dirname, '..', 'lib.sh');
const page = 4096;
/** A file that starts like a SQLite database, `pages` pages long. */
const sqliteFile = (pages: number) => Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(pages * page - 16)]);

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setAside(data: string, aside: string): string {
  return execFileSync('bash', ['-c', `source "${lib}" && set_aside_empty_sqlite "$1" "$2"`, 'test', data, aside], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('infra: a FerretDB data directory with a database file that holds no tables', () => {
  it('moves only the one-page file without a write-ahead log aside, so FerretDB starts', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-sqlite-'));
    const data = join(dir, 'data');
    const aside = join(dir, 'set-aside');
    execFileSync('mkdir', ['-p', data]);
    writeFileSync(join(data, 'dropped.sqlite'), sqliteFile(1));
    writeFileSync(join(data, 'dropped.sqlite-shm'), Buffer.alloc(10));
    writeFileSync(join(data, 'hookline.sqlite'), sqliteFile(3));
    // One page on disk, its tables still in the write-ahead log: FerretDB recovers it on open.
    writeFileSync(join(data, 'recent.sqlite'), sqliteFile(1));
    writeFileSync(join(data, 'recent.sqlite-wal'), Buffer.alloc(100));

    setAside(data, aside);

    expect(readdirSync(data).sort()).toEqual(['hookline.sqlite', 'recent.sqlite', 'recent.sqlite-wal']);
    expect(readdirSync(aside)).toEqual([expect.stringMatching(/^dropped\.sqlite\.\d{8}T\d{6}$/)]);
    setAside(data, aside);
    expect(readdirSync(aside)).toHaveLength(1);
    expect(existsSync(join(data, 'hookline.sqlite'))).toBe(true);
  });
});
