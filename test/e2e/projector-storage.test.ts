import { createKafkaEventLog, type RejectedValue, recordJson, TopicReader } from '@hookline/kafka';
import { eventually, requestJson } from '@hookline/testkit';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { useHookline } from './support/harness.js';
import { metricValue } from './support/metrics.js';
import { deadLetterCount } from './support/settle.js';

/**
 * What the projector stores. Bounded storage: with a retention of a few seconds, the projector's sweeper deletes attempt logs, dead letters
 * that were sent again, incoming-call logs and idempotency keys (FerretDB ignores TTL indexes), and counts what
 * it deleted. No silent drops and no stalls: a record MongoDB refuses goes to `rejected`, counted, and the
 * records after it are stored.
 */
const retention = '4s';
const context = useHookline({
  HOOKLINE_RETENTION_ATTEMPTS: retention,
  HOOKLINE_RETENTION_REPLAYED_DEAD_LETTERS: retention,
  HOOKLINE_RETENTION_INCOMING_CALLS: retention,
  HOOKLINE_RETENTION_IDEMPOTENCY_KEYS: retention,
  PROJECTOR_SWEEP_INTERVAL_MS: '250',
});

const deleted = (kind: string) => metricValue(context.hookline, 'projector', 'hookline_retention_deleted_total', { kind });

describe('retention', () => {
  it('deletes attempt logs, replayed dead letters, incoming calls and idempotency keys once they are older than their retention', async () => {
    const { tenant, hookline } = context;
    const r = await context.receiver();
    let healthy = false;
    r.respond(() => ({ status: healthy ? 200 : 500 }));
    const endpoint = await tenant.createEndpoint({ url: r.url, events: ['kept.*'], retrySchedule: [] });

    // An event with an Idempotency-Key: the same key and body answer with the same event while the key is kept.
    const post = (data: unknown) =>
      requestJson('POST', `${hookline.ingestUrl}/v1/events`, {
        token: tenant.apiKey,
        body: { type: 'kept.one', data },
        headers: { 'idempotency-key': 'key-1' },
      });
    const first = await post({ n: 1 });
    expect(first.status).toBe(202);
    expect((await post({ n: 1 })).body.id).toBe(first.body.id);

    // It fails once (a dead letter) and is sent again: the letter is `replayed`.
    await eventually(async () => (await deadLetterCount(tenant, endpoint.id)) === 1, 60_000);
    const [letter] = (await tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters`)).body.data;
    healthy = true;
    expect((await tenant.admin('POST', `/webhooks/${endpoint.id}/deliveries/${letter.deliveryId}/retry`)).status).toBe(202);
    await r.waitForRequests(2, 60_000);

    // A call to an incoming webhook.
    const hook = (await tenant.admin('POST', '/incoming-webhooks', { name: 'form', eventType: 'kept.form' })).body;
    expect(
      (
        await fetch(`${hookline.ingestUrl}${hook.url}`, {
          method: 'POST',
          body: '{"a":1}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(202);

    // All of it is gone once past its retention, and the sweeper counted each kind.
    await eventually(
      async () => {
        const detail = await tenant.admin('GET', `/webhooks/${endpoint.id}/deliveries/${letter.deliveryId}`);
        const replayed = await tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters?state=replayed`);
        const calls = await tenant.admin('GET', `/incoming-webhooks/${hook.id}/calls`);
        return detail.status === 404 && replayed.body.total === 0 && calls.body.data.length === 0;
      },
      60_000,
      250,
    );
    await eventually(async () => (await deleted('idempotency_keys')) >= 1, 60_000, 250);
    expect(await deleted('attempts')).toBeGreaterThanOrEqual(2);
    expect(await deleted('replayed_dead_letters')).toBe(1);
    expect(await deleted('incoming_calls')).toBeGreaterThanOrEqual(1);
    // The key is forgotten: a new body under it is a new event, not a mismatch.
    const again = await post({ n: 2 });
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(first.body.id);
  });

  it('sends a dead letter MongoDB refuses (a dotted key in its event) to rejected, counted, and stores the next one', async () => {
    const { tenant, hookline } = context;
    const r = await context.receiver();
    r.respond(() => ({ status: 500 }));
    const endpoint = await tenant.createEndpoint({ url: r.url, events: ['odd.*'], retrySchedule: [] });
    await tenant.postEvent('odd.dotted', { 'customer.id': 7 });
    await r.waitForRequests(1, 60_000);
    // The next dead letter of the same endpoint (the same dead-letter partition) is stored: nothing stalls.
    await tenant.postEvent('odd.plain', { customer: 7 });
    await eventually(async () => (await deadLetterCount(tenant, endpoint.id)) === 1, 60_000);
    const letters = (await tenant.admin('GET', `/webhooks/${endpoint.id}/dead-letters`)).body.data;
    expect(letters.map((l: { eventType: string }) => l.eventType)).toEqual(['odd.plain']);

    const log = createKafkaEventLog({
      brokers: inject('infra').kafkaBrokers.split(','),
      clientId: 'storage-test',
      logger: pino({ level: 'silent' }),
    });
    const rejectedTopic = `${hookline.namespace}.rejected`;
    const reader = await TopicReader.start(log, [rejectedTopic], `${hookline.namespace}-test-rejected`);
    try {
      await reader.until(() =>
        reader.of(rejectedTopic).some((record) => recordJson<RejectedValue>(record).reason.startsWith('unstorable')),
      );
    } finally {
      await reader.stop();
      await log.close();
    }
    const refused = reader.of(rejectedTopic).map((record) => recordJson<RejectedValue>(record));
    expect(refused).toEqual([
      expect.objectContaining({
        topic: `${hookline.namespace}.dead-letter`,
        reason: expect.stringMatching(/^unstorable dead letter: .*customer\.id/),
      }),
    ]);
    expect(Buffer.from(refused[0]!.value!, 'base64').toString()).toContain('"customer.id":7');
    expect(
      await metricValue(hookline, 'projector', 'hookline_projector_rejected_records_total', {
        topic: `${hookline.namespace}.dead-letter`,
        reason: 'unstorable',
      }),
    ).toBe(1);
  });
});
