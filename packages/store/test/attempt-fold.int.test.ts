import type { AttemptRecord } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { AttemptFold } from '../src/attempt-fold.js';
import type { Store } from '../src/index.js';
import { testAttempt } from './attempt-fixture.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('fold', (connected) => {
  store = connected;
});

const attempt = (endpointId: string): AttemptRecord => testAttempt({ endpointId });
const offsets = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

describe('exactly-once stats fold across projector crashes (real MongoDB-wire server)', () => {
  it('counts a batch once when the crash came between storing the attempts and updating the stats', async () => {
    const batch = [attempt('ep_crash'), attempt('ep_crash'), attempt('ep_crash')];
    const source = { partition: 2, offsets: offsets(10, 3) };
    // The crashed run stored the attempts, then died before the stats update.
    await store.attempts.insertMany(AttemptFold.tag(batch, source).map((a) => ({ _id: a.attemptId, ...a })));
    expect(await store.endpointStats('ep_crash')).toBeNull();

    await store.recordAttempts(batch, source);
    expect((await store.endpointStats('ep_crash'))?.attempts).toBe(3);
    // Replayed again (crash after the stats update, before the commit), and in a larger batch: no double count.
    await store.recordAttempts(batch, source);
    const more = attempt('ep_crash');
    await store.recordAttempts([...batch, more], { partition: 2, offsets: offsets(10, 4) });
    expect((await store.endpointStats('ep_crash'))?.attempts).toBe(4);
  });

  it('counts an attempt id seen again on a later record once, as the attempt log does', async () => {
    const first = attempt('ep_redo');
    await store.recordAttempts([first], { partition: 0, offsets: ['5'] });
    // The delivery service died before committing the task and made the same attempt again: a new record.
    await store.recordAttempts([first], { partition: 0, offsets: ['9'] });
    expect((await store.endpointStats('ep_redo'))?.attempts).toBe(1);
  });
});
