import { describe, expect, it } from 'vitest';
import { OffsetBook, PartitionOffsets } from '../src/offsets.js';

describe('PartitionOffsets', () => {
  it('commits only up to the earliest unfinished task', () => {
    const p = new PartitionOffsets();
    expect(p.commitPoint()).toBeUndefined();
    for (const o of ['10', '11', '12', '13']) p.accept(o);
    expect(p.commitPoint()).toBe(10n);
    p.finish('12');
    p.finish('13');
    expect(p.commitPoint()).toBe(10n);
    p.finish('10');
    expect(p.commitPoint()).toBe(11n);
    p.finish('11');
    expect(p.commitPoint()).toBe(14n);
    expect(p.inFlight).toBe(0);
  });
});

describe('OffsetBook', () => {
  it('reports only moved commit points and forgets revoked partitions', () => {
    const book = new OffsetBook();
    book.accept('t', 0, '5');
    book.accept('t', 1, '7');
    book.finish('t', 0, '5');
    expect(book.takeCommits()).toEqual([
      { topic: 't', partition: 0, offset: '6' },
      { topic: 't', partition: 1, offset: '7' },
    ]);
    expect(book.takeCommits()).toEqual([]);
    book.retain((_, partition) => partition === 0);
    expect(book.inFlight).toBe(0);
  });
});
