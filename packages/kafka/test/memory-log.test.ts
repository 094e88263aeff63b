import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryEventLog, type MemoryEventLog } from '../src/memory/index.js';
import { eventLogContract } from './contract.js';

const log = createMemoryEventLog();
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
    await publisher.publish([
      {
        topic: 'spread',
        records: [{ key: 'same', value: '1' }, { key: 'same', value: '2' }, ...[1, 2, 3].map(() => ({ key: null, value: '"n"' }))],
      },
    ]);
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

describe('memory consumer groups', () => {
  it('moves a stopped member’s partitions to the remaining member, which reads from the committed offsets', async () => {
    const memory = createMemoryEventLog();
    await memory.ensureTopics([{ topic: 'work', numPartitions: 2 }]);
    const seen: string[][] = [[], []];
    const owned: number[][] = [[], []];
    const members = [];
    for (const index of [0, 1]) {
      members.push(
        await memory.consume({
          groupId: 'workers',
          topics: ['work'],
          onAssignment: (assigned) => (owned[index] = assigned.map((tp) => tp.partition)),
          onBatch: async ({ records }) => void seen[index]!.push(...records.map((r) => r.value!.toString())),
        }),
      );
    }
    expect(owned).toEqual([[0], [1]]);
    await members[1]!.stop();
    expect(owned[0]).toEqual([0, 1]);
    const publisher = await memory.publisher();
    await publisher.publish([{ topic: 'work', records: ['a', 'b', 'c', 'd'].map((value) => ({ key: value, value })) }]);
    await vi.waitFor(() => expect(seen[0]!.sort()).toEqual(['a', 'b', 'c', 'd']));
    expect(seen[1]).toEqual([]);
    await memory.close();
  });

  it('tells a handler to leave a partition that a joining member is about to take, and waits for it', async () => {
    const memory = createMemoryEventLog();
    await memory.ensureTopics([{ topic: 'work', numPartitions: 2 }]);
    const publisher = await memory.publisher();
    const keyOn = (partition: number) => ['a', 'b', 'c', 'd', 'e', 'f'].find((k) => memory.partitionFor('work', k) === partition)!;
    await publisher.publish([
      {
        topic: 'work',
        records: [
          { key: keyOn(1), value: 'first' },
          { key: keyOn(1), value: 'second' },
        ],
      },
    ]);
    let entered!: () => void;
    const inBatch = new Promise<void>((resolve) => (entered = resolve));
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    const activeAfterJoin: boolean[] = [];
    await memory.consume({
      groupId: 'workers',
      topics: ['work'],
      maxWaitMs: 1,
      onBatch: async ({ records }, control) => {
        if (records[0]!.value!.toString() !== 'first') return;
        entered();
        await gate;
        activeAfterJoin.push(control.isActive());
        control.leaveFrom(records[1]!);
      },
    });
    await inBatch;
    const secondSeen: string[] = [];
    const joining = memory.consume({
      groupId: 'workers',
      topics: ['work'],
      onBatch: async ({ records }) => void secondSeen.push(...records.map((r) => r.value!.toString())),
    });
    await Promise.resolve();
    proceed();
    await joining;
    expect(activeAfterJoin).toEqual([false]);
    // The first member committed up to the record it left; the new owner of partition 1 reads from there.
    await vi.waitFor(() => expect(secondSeen).toEqual(['second']));
    await memory.close();
  });
});

describe('memory consumer that leaves a whole batch', () => {
  it('offers it again after the next append instead of at once', async () => {
    const memory = createMemoryEventLog({ defaultPartitions: 1 });
    const publisher = await memory.publisher();
    await publisher.publish([{ topic: 'busy', records: [{ key: 'k', value: 'a' }] }]);
    const offered: string[][] = [];
    let accept = false;
    await memory.consume({
      groupId: 'g',
      topics: ['busy'],
      onBatch: async ({ records }, control) => {
        offered.push(records.map((r) => r.value!.toString()));
        if (!accept) control.leaveFrom(records[0]!);
      },
    });
    await vi.waitFor(() => expect(offered).toEqual([['a']]));
    accept = true;
    await publisher.publish([{ topic: 'busy', records: [{ key: 'k', value: 'b' }] }]);
    // 'b' is the sentinel: had 'a' been offered again in between, it would show here.
    await vi.waitFor(() => expect(offered).toEqual([['a'], ['a', 'b']]));
    // Committed once the handler has returned, which is after it saw 'b'.
    await vi.waitFor(() => expect(memory.committed('g')).toEqual([{ topic: 'busy', partition: 0, offset: 2n }]));
    await memory.close();
  });
});
