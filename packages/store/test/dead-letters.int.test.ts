import type { DeadLetterRecord } from '@hookline/core';
import { describe, expect, it, vi } from 'vitest';
import { ExpiredDocuments, type Store } from '../src/index.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('dead_letters', async (connected) => {
  store = connected;
  await store.deadLetters.ensureIndexes();
});

function letter(deliveryId: string, at: string, endpointId = 'ep_1'): DeadLetterRecord {
  const event = { id: `evt_${deliveryId}`, type: 'a.b', tenantId: 'ten_1', timestamp: at, data: {} };
  return {
    task: { deliveryId, eventId: event.id, endpointId, tenantId: 'ten_1', attempt: 1, dueAt: 0, event } as DeadLetterRecord['task'],
    reason: 'receiver answered 500',
    kind: 'failed',
    deadLetteredAt: at,
  };
}

/**
 * One writer per document: the projector writes `dead_letters`, config-api writes the replay marks. FerretDB's
 * updates are read-modify-write, so a mark written into the letter document could put back a letter the projector
 * had just replaced with a newer failure, hiding it.
 */
describe('DeadLetters (real MongoDB-wire server)', () => {
  it('marks and unmarks replays without writing the letters the projector owns', async () => {
    const letters = store.deadLetters;
    await letters.record([letter('d1', '2026-12-01T10:00:00.000Z'), letter('d2', '2026-12-01T10:00:01.000Z')]);
    const before = await letters.letters.find().sort({ _id: 1 }).toArray();

    await letters.markReplayed(['d1', 'd2'], { job: 'job_1', batch: 0 });
    expect(await letters.letters.find().sort({ _id: 1 }).toArray()).toEqual(before);
    expect((await letters.find('ep_1', { state: 'replayed' }).toArray()).map((l) => l._id)).toEqual(['d1', 'd2']);
    expect((await letters.replayBatch('job_1', 0)).map((l) => l._id)).toEqual(['d1', 'd2']);
    expect(await letters.count('ep_1', { state: 'dead' })).toBe(0);

    // The resend of d2 fails again: the projector writes the newer letter, which no mark covers.
    await letters.record([letter('d2', '2026-12-01T10:05:00.000Z')]);
    expect((await letters.find('ep_1', { state: 'dead' }).toArray()).map((l) => [l._id, l.deadLetteredAt])).toEqual([
      ['d2', '2026-12-01T10:05:00.000Z'],
    ]);
    expect(await letters.getDead('ep_1', 'd2')).toMatchObject({ state: 'dead' });
    expect((await letters.replayBatch('job_1', 0)).map((l) => l._id)).toEqual(['d1']);

    await letters.unmarkReplayed(['d1']);
    expect(await letters.letters.find({ _id: 'd1' }).toArray()).toEqual(before.filter((l) => l._id === 'd1'));
    expect(await letters.count('ep_1', { state: 'dead' })).toBe(2);
    expect(await letters.countByState()).toEqual({ dead: 2, replayed: 0 });
  });

  it('reads letters of the first shape (marked in place) as replayed', async () => {
    await store.deadLetters.letters.insertOne({
      ...letter('old', '2026-11-01T00:00:00.000Z', 'ep_old'),
      _id: 'old',
      endpointId: 'ep_old',
      tenantId: 'ten_1',
      state: 'replayed',
    });
    expect(await store.deadLetters.count('ep_old', { state: 'replayed' })).toBe(1);
    expect(await store.deadLetters.getDead('ep_old', 'old')).toBeNull();
  });

  it('expires replayed letters through their marks, never a letter that died again', async () => {
    const letters = store.deadLetters;
    await letters.record([letter('r1', '2026-11-20T00:00:00.000Z', 'ep_2'), letter('r2', '2026-11-20T00:00:00.000Z', 'ep_2')]);
    await letters.markReplayed(['r1', 'r2']);
    await letters.record([letter('r2', '2026-11-29T00:00:00.000Z', 'ep_2')]);
    const sweeper = new ExpiredDocuments(store.db, 'replayed_dead_letters');
    expect(await sweeper.deleteBatch(new Date('2026-11-25T00:00:00.000Z'), 10)).toBe(1);
    expect((await letters.find('ep_2').toArray()).map((l) => [l._id, l.state])).toEqual([['r2', 'dead']]);
    expect(await letters.marks.countDocuments({ endpointId: 'ep_2' })).toBe(0);
  });

  it('counts an endpoint once for callers that ask while a count runs (a count scans the collection on FerretDB)', async () => {
    const letters = store.deadLetters;
    await letters.record([letter('c1', '2026-12-02T10:00:00.000Z', 'ep_count'), letter('c2', '2026-12-02T10:00:01.000Z', 'ep_count')]);
    const scans = vi.spyOn(letters.letters, 'countDocuments');
    try {
      const totals = await Promise.all(Array.from({ length: 5 }, () => letters.count('ep_count')));
      expect(totals).toEqual([2, 2, 2, 2, 2]);
      expect(scans).toHaveBeenCalledTimes(1);
      // A mark this process writes is seen at once, however fresh the last count is.
      await letters.markReplayed(['c1']);
      expect(await letters.count('ep_count', { state: 'dead' })).toBe(1);
      await letters.record([letter('c3', '2026-12-02T10:00:02.000Z', 'ep_count')]);
      expect(await letters.count('ep_count', { state: 'dead' })).toBe(2);
      expect(await letters.count('ep_count')).toBe(3);
    } finally {
      scans.mockRestore();
    }
  });

  it('reads an endpoint list once for identical requests that come while it is read, each getting its own array', async () => {
    const letters = store.deadLetters;
    await letters.record([letter('l1', '2026-12-02T11:00:00.000Z', 'ep_list'), letter('l2', '2026-12-02T11:00:01.000Z', 'ep_list')]);
    const reads = vi.spyOn(letters.letters, 'find');
    try {
      const lists = await Promise.all(Array.from({ length: 5 }, () => letters.find('ep_list', { state: 'dead' }, 50).toArray()));
      expect(reads).toHaveBeenCalledTimes(1);
      expect(lists.map((list) => list.map((l) => l._id))).toEqual(Array.from({ length: 5 }, () => ['l1', 'l2']));
      expect(lists[0]).not.toBe(lists[1]);
      // Once done, nothing is reused: a mark this process writes shows in the next read.
      await letters.markReplayed(['l1']);
      expect((await letters.find('ep_list', { state: 'dead' }, 50).toArray()).map((l) => l._id)).toEqual(['l2']);
    } finally {
      reads.mockRestore();
    }
  });
});
