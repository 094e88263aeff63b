import { type AttemptRecord, type EndpointRecord, testEndpoint } from '@hookline/core';
import type { RecordPublisher } from '@hookline/kafka';
import type { EndpointStatsDoc } from '@hookline/store';
import { describe, expect, it } from 'vitest';
import { type ConfigUpdater, disabledAfter, disableEndpoint } from '../src/auto-disable.js';

const now = new Date('2026-01-02T00:00:00Z');
const endpoint = (over: Partial<EndpointRecord> = {}): EndpointRecord =>
  testEndpoint('ep_1', { name: 'ep', url: 'http://127.0.0.1:9/', disableAfterConsecutiveFailures: 3, ...over });
const stats = (consecutiveFailures: number) => ({ consecutiveFailures }) as EndpointStatsDoc;
const failed = { outcome: 'failure', errorMessage: 'HTTP 500' } as AttemptRecord;

describe('disabledAfter', () => {
  it('disables at the threshold with the reason and the last error, not before', () => {
    expect(disabledAfter(endpoint(), stats(2), failed, now)).toBeUndefined();
    expect(disabledAfter(endpoint(), stats(3), failed, now)).toMatchObject({
      isActive: false,
      disabledReason: '3 consecutive failed deliveries; last error: HTTP 500',
      disabledAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
  });

  it('with a threshold of 1 (ThreadHound), names the first failed delivery, whatever came before', () => {
    const first = { ...failed, deliveryId: 'dlv_1', errorMessage: 'receiver answered 404' };
    // Failed send-tests while the endpoint was off still count in the stats: the reason is about this one.
    expect(
      disabledAfter(endpoint({ profile: 'threadhound', disableAfterConsecutiveFailures: undefined }), stats(2), first, now),
    ).toMatchObject({
      isActive: false,
      disabledReason: 'first failed delivery (dlv_1): receiver answered 404',
    });
  });

  it('disables at once after 410 Gone, at any threshold and even with none', () => {
    const gone = { ...failed, deliveryId: 'dlv_9', statusCode: 410, errorMessage: 'receiver answered 410' };
    for (const threshold of [50, null]) {
      expect(disabledAfter(endpoint({ disableAfterConsecutiveFailures: threshold }), stats(1), gone, now)).toMatchObject({
        isActive: false,
        disabledReason: 'receiver answered 410 Gone (dlv_9): the endpoint no longer exists',
      });
    }
  });

  it('leaves alone successes, endpoints already off or without a threshold, and endpoints naming a setting this build does not know', () => {
    expect(disabledAfter(endpoint(), stats(3), { ...failed, outcome: 'success' }, now)).toBeUndefined();
    expect(disabledAfter(endpoint({ isActive: false }), stats(9), failed, now)).toBeUndefined();
    expect(disabledAfter(endpoint({ disableAfterConsecutiveFailures: null }), stats(9), failed, now)).toBeUndefined();
    expect(disabledAfter(endpoint({ profile: 'from-a-newer-build' } as Partial<EndpointRecord>), stats(9), failed, now)).toBeUndefined();
    expect(disabledAfter(undefined, stats(9), failed, now)).toBeUndefined();
  });
});

describe('disableEndpoint', () => {
  /** A config view where a concurrent edit landed first: the change is applied to the fresh endpoint. */
  function updaterWith(fresh: EndpointRecord | undefined): ConfigUpdater & { written: EndpointRecord[] } {
    const written: EndpointRecord[] = [];
    return {
      written,
      async update(_publisher, _key, _read, change) {
        const next = fresh && change(fresh as never);
        if (next) written.push(next as EndpointRecord);
        return next;
      },
    };
  }
  const publisher = {} as RecordPublisher;
  const attempt = { ...failed, url: 'http://127.0.0.1:9/' } as AttemptRecord;

  it('keeps a concurrent edit: the disable is written on top of the fresh endpoint', async () => {
    const config = updaterWith(endpoint({ description: 'edited meanwhile' }));
    await disableEndpoint(config, publisher, 'ep_1', stats(3), attempt);
    expect(config.written).toMatchObject([{ isActive: false, description: 'edited meanwhile' }]);
  });

  it('gives up when the fresh endpoint makes the disable moot', async () => {
    for (const fresh of [
      undefined,
      endpoint({ isActive: false }),
      endpoint({ url: 'http://127.0.0.1:10/' }),
      endpoint({ disableAfterConsecutiveFailures: 100 }),
    ]) {
      const config = updaterWith(fresh);
      expect(await disableEndpoint(config, publisher, 'ep_1', stats(3), attempt)).toBeUndefined();
      expect(config.written).toEqual([]);
    }
  });
});
