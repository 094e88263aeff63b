import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotANamespaceError } from '../src/errors.js';
import type { EventLog, LogRecord, RunningConsumer, TopicPartition } from '../src/port.js';

/** What a contract run needs from an implementation: a log, and names unique to this run. */
export interface ContractSubject {
  log: EventLog;
  /** A topic (or group) name no other test of this run uses. */
  unique(name: string): string;
  /** Longest a condition is waited for (a broker rebalances in seconds, memory at once). */
  timeoutMs: number;
}

const text = (record: LogRecord) => record.value?.toString() ?? '';

/**
 * The semantics every EventLog must have, run against the in-memory log (unit) and the real broker (int):
 * services are unit-tested on the first and run on the second, so the two must agree.
 */
export function eventLogContract(name: string, subject: () => ContractSubject): void {
  describe(`EventLog contract: ${name}`, () => {
    const running: RunningConsumer[] = [];
    afterEach(async () => {
      await Promise.all(running.splice(0).map((c) => c.stop()));
    });

    async function topic(label: string, numPartitions: number): Promise<string> {
      const { log, unique } = subject();
      const created = unique(label);
      await log.ensureTopics([{ topic: created, numPartitions }]);
      return created;
    }

    const waitFor = (check: () => void) => vi.waitFor(check, { timeout: subject().timeoutMs, interval: 20 });

    it('keeps order per key, for one large call split at the byte cap', async () => {
      const { log, unique } = subject();
      const orders = await topic('order', 3);
      const publisher = await log.publisher({ maxBytes: 8 * 1024, lingerMs: 1 });
      const keys = ['a', 'b', 'c', 'd'];
      const sent = Array.from({ length: 120 }, (_, i) => ({ key: keys[i % keys.length]!, value: `${i}:${'x'.repeat(500)}` }));
      await publisher.publish([{ topic: orders, records: sent }]);
      const seen = new Map<string, number[]>();
      running.push(
        await log.consume({
          groupId: unique('order-group'),
          topics: [orders],
          onBatch: async ({ records }) => {
            for (const r of records) seen.set(r.key!, [...(seen.get(r.key!) ?? []), Number(text(r).split(':')[0])]);
          },
        }),
      );
      await waitFor(() => expect([...seen.values()].flat()).toHaveLength(sent.length));
      for (const key of keys) {
        expect(seen.get(key)).toEqual(sent.flatMap((r, i) => (r.key === key ? [i] : [])));
      }
      await publisher.close();
    });

    it('redelivers a held record that was never released to the next member after a member stops', async () => {
      const { log, unique } = subject();
      const tasks = await topic('held', 1);
      const groupId = unique('held-group');
      const publisher = await log.publisher();
      await publisher.publish([{ topic: tasks, records: ['r0', 'r1', 'r2'].map((value) => ({ key: 'k', value })) }]);
      const first: string[] = [];
      const releases = new Map<string, () => void>();
      const member = await log.consume({
        groupId,
        topics: [tasks],
        onBatch: async ({ records }, control) => {
          for (const r of records) {
            first.push(text(r));
            const release = control.hold(r);
            releases.set(text(r), release);
          }
        },
      });
      await waitFor(() => expect(first).toEqual(['r0', 'r1', 'r2']));
      releases.get('r0')!();
      releases.get('r2')!();
      expect(member.held).toBe(1);
      await member.stop();
      const second: string[] = [];
      running.push(await log.consume({ groupId, topics: [tasks], onBatch: async ({ records }) => void second.push(...records.map(text)) }));
      // r1 was held when the member left: committed up to it, so the next member reads r1 (and r2) again.
      await waitFor(() => expect(second).toEqual(['r1', 'r2']));
      await publisher.close();
    });

    it('splits partitions between two members of a group and hands every record to exactly one', async () => {
      const { log, unique } = subject();
      const shared = await topic('split', 4);
      const groupId = unique('split-group');
      const assignments: TopicPartition[][] = [[], []];
      const seen: string[][] = [[], []];
      for (const index of [0, 1]) {
        running.push(
          await log.consume({
            groupId,
            topics: [shared],
            onAssignment: (assigned) => (assignments[index] = assigned),
            onBatch: async ({ records }) => void seen[index]!.push(...records.map(text)),
          }),
        );
      }
      await waitFor(() => {
        expect(assignments[0]!.length).toBeGreaterThan(0);
        expect(assignments[1]!.length).toBeGreaterThan(0);
        expect([...assignments[0]!, ...assignments[1]!].map((tp) => tp.partition).sort()).toEqual([0, 1, 2, 3]);
      });
      const publisher = await log.publisher();
      const values = Array.from({ length: 40 }, (_, i) => `v${i}`);
      await publisher.publish([{ topic: shared, records: values.map((value, i) => ({ key: `key-${i}`, value })) }]);
      await waitFor(() => expect([...seen[0]!, ...seen[1]!].sort()).toEqual([...values].sort()));
      expect(seen[0]!.length).toBeGreaterThan(0);
      expect(seen[1]!.length).toBeGreaterThan(0);
      await publisher.close();
    });

    it('reads a paused partition again from the record given to pauseFrom once its time has come', async () => {
      const { log, unique } = subject();
      const delayed = await topic('pause', 1);
      const publisher = await log.publisher();
      await publisher.publish([{ topic: delayed, records: ['due', 'later', 'after'].map((value) => ({ key: 'k', value })) }]);
      const seen: { value: string; at: number }[] = [];
      let resumeAt = 0;
      running.push(
        await log.consume({
          groupId: unique('pause-group'),
          topics: [delayed],
          onBatch: async ({ records }, control) => {
            for (const r of records) {
              seen.push({ value: text(r), at: Date.now() });
              if (text(r) === 'later' && resumeAt === 0) {
                resumeAt = Date.now() + 300;
                control.pauseFrom(r, resumeAt);
                return;
              }
            }
          },
        }),
      );
      await waitFor(() => expect(seen.map((s) => s.value)).toEqual(['due', 'later', 'later', 'after']));
      expect(seen[2]!.at).toBeGreaterThanOrEqual(resumeAt);
      await publisher.close();
    });

    it('reads again from leaveFrom, and commits only what came before it', async () => {
      const { log, unique } = subject();
      const left = await topic('leave', 1);
      const groupId = unique('leave-group');
      const publisher = await log.publisher();
      await publisher.publish([{ topic: left, records: ['a', 'b', 'c'].map((value) => ({ key: 'k', value })) }]);
      const seen: string[] = [];
      const member = await log.consume({
        groupId,
        topics: [left],
        onBatch: async ({ records }, control) => {
          for (const r of records) {
            if (text(r) === 'b' && !seen.includes('b')) {
              seen.push('b');
              control.leaveFrom(r);
              return;
            }
            seen.push(text(r));
          }
        },
      });
      running.push(member);
      await waitFor(() => expect(seen).toEqual(['a', 'b', 'b', 'c']));
      await member.commit();
      await waitFor(async () => expect((await log.groupProgress(groupId, [left])).get(left)?.lag).toBe(0));
      await publisher.close();
    });

    it('reads a batch again when its handler throws, and commits it once handled', async () => {
      const { log, unique } = subject();
      const failing = await topic('throw', 1);
      const groupId = unique('throw-group');
      const publisher = await log.publisher();
      await publisher.publish([{ topic: failing, records: ['a', 'b'].map((value) => ({ key: 'k', value })) }]);
      const calls: string[][] = [];
      running.push(
        await log.consume({
          groupId,
          topics: [failing],
          onBatch: async ({ records }) => {
            calls.push(records.map(text));
            if (calls.length === 1) throw new Error('store unavailable');
          },
        }),
      );
      await waitFor(() => expect(calls.flat()).toEqual(['a', 'b', 'a', 'b']));
      await waitFor(async () => expect((await log.groupProgress(groupId, [failing])).get(failing)?.lag).toBe(0));
      await publisher.close();
    });

    it("applies a view's records and waits for a position (read-your-writes) and for everything written before catchUp", async () => {
      const { log } = subject();
      const folded = await topic('view', 1);
      const state = new Map<string, string | null>();
      const view = log.view(folded, (r) => state.set(r.key!, r.value === null ? null : text(r)));
      const publisher = await log.publisher();
      await publisher.append(folded, { key: 'before', value: 'start' });
      await view.start();
      expect(state.get('before')).toBe('start');
      const position = await publisher.append(folded, { key: 'mine', value: 'written' });
      await view.waitFor(position);
      expect(state.get('mine')).toBe('written');
      const other = await log.publisher();
      await other.publish([
        {
          topic: folded,
          records: [
            { key: 'elsewhere', value: 'x' },
            { key: 'mine', value: null },
          ],
        },
      ]);
      await view.catchUp();
      expect(state.get('elsewhere')).toBe('x');
      expect(state.get('mine')).toBeNull();
      expect((await view.health()).status).toBe('ok');
      await view.stop();
      await Promise.all([publisher.close(), other.close()]);
    });

    it('finds offsets by record time and reads exactly those ranges', async () => {
      const { log } = subject();
      const timed = await topic('timed', 2);
      const publisher = await log.publisher();
      await publisher.publish([{ topic: timed, records: ['old1', 'old2', 'old3'].map((value, i) => ({ key: `k${i}`, value })) }]);
      const since = Date.now() + 5;
      await waitFor(() => expect(Date.now()).toBeGreaterThan(since));
      await publisher.publish([{ topic: timed, records: ['new1', 'new2', 'new3', 'new4'].map((value, i) => ({ key: `k${i}`, value })) }]);
      const until = Date.now() + 5;
      await waitFor(() => expect(Date.now()).toBeGreaterThan(until));
      await publisher.publish([{ topic: timed, records: [{ key: 'k0', value: 'newer' }] }]);

      const read = async (ranges: Awaited<ReturnType<EventLog['offsetsForTime']>>) => {
        const values: string[] = [];
        await log.readRanges(timed, ranges, async (records) => void values.push(...records.map(text)));
        return values.sort();
      };
      expect(await read(await log.offsetsForTime(timed, since))).toEqual(['new1', 'new2', 'new3', 'new4', 'newer']);
      expect(await read(await log.offsetsForTime(timed, since, until))).toEqual(['new1', 'new2', 'new3', 'new4']);
      const future = await log.offsetsForTime(timed, Date.now() + 60_000);
      expect(future.every((r) => r.start === r.end)).toBe(true);
      await publisher.close();
    });

    it("reports a group's lag and committed offsets: everything before it ran, up to the held record while one is held, none once done", async () => {
      const { log, unique } = subject();
      const lagging = await topic('lag', 1);
      const groupId = unique('lag-group');
      const publisher = await log.publisher();
      await publisher.publish([{ topic: lagging, records: Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: `r${i}` })) }]);
      expect((await log.groupProgress(groupId, [lagging])).get(lagging)).toEqual({ lag: 5, committed: 0 });
      let release: (() => void) | undefined;
      let read = 0;
      const member = await log.consume({
        groupId,
        topics: [lagging],
        onBatch: async ({ records }, control) => {
          for (const r of records) {
            read++;
            if (text(r) === 'r3') release = control.hold(r);
          }
        },
      });
      running.push(member);
      await waitFor(() => expect(read).toBe(5));
      await member.commit();
      await waitFor(async () => expect((await log.groupProgress(groupId, [lagging])).get(lagging)).toEqual({ lag: 2, committed: 3 }));
      release!();
      await member.commit();
      await waitFor(async () => expect((await log.groupProgress(groupId, [lagging])).get(lagging)).toEqual({ lag: 0, committed: 5 }));
      await publisher.close();
    });

    it("deletes a namespace's topics, and only them", async () => {
      const { log, unique } = subject();
      const namespace = `${unique('ns')}.`;
      const inside = [`${namespace}events`, `${namespace}retry.5s`];
      const outside = unique('ns-neighbour');
      await log.ensureTopics([...inside, outside].map((t) => ({ topic: t, numPartitions: 1 })));
      await expect(log.deleteNamespace('')).rejects.toBeInstanceOf(NotANamespaceError);
      await expect(log.deleteNamespace(namespace.slice(0, -1))).rejects.toBeInstanceOf(NotANamespaceError);
      expect((await log.deleteNamespace(namespace)).sort()).toEqual(inside);
      // A broker deletes asynchronously: the names go once it has.
      await waitFor(async () => expect(await log.deleteNamespace(namespace)).toEqual([]));
      expect(await log.groupProgress(unique('ns-group'), [outside])).toEqual(new Map([[outside, { lag: 0, committed: 0 }]]));
    });
  });
}
