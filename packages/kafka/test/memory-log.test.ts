import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryEventLog, type MemoryEventLog } from '../src/memory/index.js';
import { eventLogContract } from './contract.js';

let log = createMemoryEventLog();
let run = 0;
eventLogContract('memory', () => ({ log, unique: (name) => `${name}-${run++}`, timeoutMs: 2_000 }));

describe('memory event log (beyond the contract)', () => {
  let memory: MemoryEventLog;
  afterEach(async () => {
    vi.useRealTimers();
    await memory?.close();
  });

  it('drives pauseFrom with fake timers: nothing is read again before the time, everything right after', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
    memory = createMemoryEventLog();
    const publisher = await memory.publisher();
    await publisher.publish([{ topic: 'tier', records: [{ key: 'k', value: 'later' }] }]);
    const seen: number[] = [];
    await memory.consume({
      groupId: 'forwarder',
      topics: ['tier'],
      onBatch: async ({ records }, control) => {
        seen.push(Date.now());
        if (seen.length === 1) control.pauseFrom(records[0]!, Date.now() + 60_000);
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(seen).toHaveLength(1);
    expect(memory.committed('forwarder')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([Date.parse('2026-12-01T00:00:00Z'), Date.parse('2026-12-01T00:01:00Z')]);
    expect(memory.committed('forwarder')).toEqual([{ topic: 'tier', partition: memory.partitionFor('tier', 'k'), offset: 1n }]);
  });

  it('reads a batch again after a back-off when its handler throws, and commits once it succeeds', async () => {
    vi.useFakeTimers();
    memory = createMemoryEventLog({ retryBackoffMs: 1_000 });
    const publisher = await memory.publisher();
    await publisher.publish([{ topic: 't', records: [{ key: 'k', value: '1' }] }]);
    let calls = 0;
    await memory.consume({
      groupId: 'g',
      topics: ['t'],
      onBatch: async () => {
        if (++calls === 1) throw new Error('store unavailable');
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(memory.committed('g')).toEqual([{ topic: 't', partition: memory.partitionFor('t', 'k'), offset: 1n }]);
  });

  it('puts a key on the same partition every time and spreads keyless records round-robin', async () => {
    memory = createMemoryEventLog();
    await memory.ensureTopics([{ topic: 'spread', numPartitions: 3 }]);
    const publisher = await memory.publisher();
    await publisher.publish([{ topic: 'spread', records: [{ key: 'same', value: '1' }, { key: 'same', value: '2' }, ...[1, 2, 3].map(() => ({ key: null, value: '"n"' }))] }]);
    const records = memory.records('spread');
    expect(records[0]!.partition).toBe(records[1]!.partition);
    expect(new Set(records.slice(2).map((r) => r.partition))).toEqual(new Set([0, 1, 2]));
    expect(memory.values('spread')).toEqual([1, 2, 'n', 'n', 'n']);
  });

  it('lets a view lag until its timer tick, while catchUp applies at once', async () => {
    vi.useFakeTimers();
    memory = createMemoryEventLog();
    const seen: string[] = [];
    const view = memory.view('config', (r) => seen.push(r.key!));
    await view.start();
    const publisher = await memory.publisher();
    await publisher.append('config', { key: 'a', value: '{}' });
    expect(seen).toEqual([]);
    await view.catchUp();
    expect(seen).toEqual(['a']);
    await publisher.append('config', { key: 'b', value: '{}' });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['a', 'b']);
  });

  it('fails publishes while told to, and refuses to delete a group with members', async () => {
    memory = createMemoryEventLog();
    const publisher = await memory.publisher();
    memory.failPublishes(new Error('broker down'));
    await expect(publisher.publish([{ topic: 't', records: [{ key: 'k', value: 'v' }] }])).rejects.toThrow('broker down');
    expect(publisher.health().status).toBe('down');
    memory.failPublishes();
    await publisher.publish([{ topic: 't', records: [{ key: 'k', value: 'v' }] }]);
    const member = await memory.consume({ groupId: 'busy', topics: ['t'], onBatch: async () => undefined });
    await expect(memory.deleteGroup('busy')).rejects.toThrow('still has 1 member');
    await member.stop();
    await memory.deleteGroup('busy');
    expect(memory.committed('busy')).toEqual([]);
  });
});
