import type { AttemptRecord } from '@hookline/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attemptFeed, type FeedPosition, nextFeedPosition, type Store } from '../src/index.js';
import { useTestStore } from './store-fixture.js';

let store: Store;
useTestStore('feed', (connected) => {
  store = connected;
});
afterEach(() => {
  vi.useRealTimers();
});

function attempt(id: string, tenantId: string, endpointId: string): AttemptRecord {
  return {
    attemptId: `${id}.1`,
    deliveryId: id,
    eventId: `evt_${id}`,
    eventType: 'a.b',
    endpointId,
    tenantId,
    attempt: 1,
    url: 'http://x',
    startedAt: new Date().toISOString(),
    durationMs: 5,
    outcome: 'success',
    statusCode: 200,
    final: true,
  };
}

let offset = 0;
const record = (batch: AttemptRecord[]) => store.recordAttempts(batch, { partition: 0, offsets: batch.map(() => String(offset++)) });
const later = () => new Date(Date.now() + 60_000).toISOString();

describe('attemptFeed (real MongoDB-wire server)', () => {
  it('pages through a tenant in recording order, each attempt once, and keeps other tenants out', async () => {
    // Ids out of order inside batches; batches recorded one after another (a second apart on a faked clock:
    // `recordedAt` is the batch's time).
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    await record([attempt('msg_c', 't1', 'ep_1'), attempt('msg_a', 't1', 'ep_2'), attempt('msg_x', 't2', 'ep_9')]);
    vi.setSystemTime(start + 1_000);
    await record([attempt('msg_b', 't1', 'ep_1')]);

    const seen: string[] = [];
    let after: FeedPosition | undefined = { recordedAt: new Date(0).toISOString(), attemptId: '' };
    for (let page = 0; page < 5; page++) {
      const docs = await attemptFeed(store.attempts, { tenantId: 't1', after, limit: 1, settledBefore: later() });
      seen.push(...docs.map((d) => d.deliveryId));
      after = nextFeedPosition(docs, after, later());
    }
    expect(seen).toEqual(['msg_a', 'msg_c', 'msg_b']);

    const newest = await attemptFeed(store.attempts, { tenantId: 't1', limit: 2, settledBefore: later() });
    expect(newest.map((d) => d.deliveryId)).toEqual(['msg_c', 'msg_b']);
    const oneEndpoint = await attemptFeed(store.attempts, { tenantId: 't1', endpointId: 'ep_1', limit: 10, settledBefore: later() });
    expect(oneEndpoint.map((d) => d.deliveryId)).toEqual(['msg_c', 'msg_b']);
  });

  it('holds back attempts recorded after the settled edge', async () => {
    await record([attempt('msg_new', 't3', 'ep_3')]);
    const edge = new Date(Date.now() - 60_000).toISOString();
    expect(await attemptFeed(store.attempts, { tenantId: 't3', limit: 10, settledBefore: edge })).toEqual([]);
    const start = nextFeedPosition([], undefined, edge);
    const docs = await attemptFeed(store.attempts, { tenantId: 't3', after: start, limit: 10, settledBefore: later() });
    expect(docs.map((d) => d.deliveryId)).toEqual(['msg_new']);
  });
});
