import { taskRecord } from '@hookline/delivery-policy';
import { createTracing, traceparentFrom } from '@hookline/tracing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskSender } from '../src/engine.js';
import type { Sender } from '../src/sender.js';
import { TracedSender } from '../src/tracing.js';
import { endpoint, FakeSender, type Harness, startEngine, task, topics } from './engine-fixtures.js';

let harness: Harness | undefined;

beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') }));
afterEach(async () => {
  await harness?.log.close();
  harness = undefined;
  vi.useRealTimers();
});

const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const traceparentShape = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

/** The fake receiver behind the tracing wrapper, keeping the trace headers each request went out with. */
function tracedSender(): { sender: TaskSender; fake: FakeSender; sentHeaders: Record<string, string>[] } {
  const fake = new FakeSender();
  const sentHeaders: Record<string, string>[] = [];
  const inner: Pick<Sender, 'send'> = {
    send: (t, e, p, _now, headers = {}) => {
      sentHeaders.push(headers);
      return fake.send(t, e, p);
    },
  };
  return { sender: new TracedSender(inner, createTracing({ serviceName: 'delivery-test' })), fake, sentHeaders };
}

const headersOn = (h: Harness, topic: string) => h.log.records(topic).map((r) => traceparentFrom(r.headers));

describe('trace context through delivery', () => {
  it("sends the task record's traceparent on the request and carries it on the attempt and the retry", async () => {
    const { sender, fake, sentHeaders } = tracedSender();
    harness = await startEngine({ sender }, [endpoint('ep', { retrySchedule: ['5s'] })]);
    fake.answers.set('e1', 503);
    const publisher = await harness.log.publisher();
    await publisher.publish([
      { topic: topics.deliveries, records: [{ ...taskRecord(task('ep', 'e1')), headers: { traceparent: incoming } }] },
    ]);
    await vi.waitFor(() => expect(harness!.attempts()).toHaveLength(1));
    await vi.waitFor(() => expect(harness!.log.records(topics.retry('5s'))).toHaveLength(1));
    // Without an exporter the context is passed on as it is.
    expect(sentHeaders).toEqual([{ traceparent: incoming }]);
    expect(headersOn(harness, topics.attempts)).toEqual([incoming]);
    expect(headersOn(harness, topics.retry('5s'))).toEqual([incoming]);
  });

  it('starts a trace for a task record of the previous shape (no header), the same on the request and the records', async () => {
    const { sender, fake, sentHeaders } = tracedSender();
    harness = await startEngine({ sender }, [endpoint('ep', { retrySchedule: [] }), endpoint('off', { isActive: false })]);
    fake.answers.set('e1', 404);
    await harness.publish(task('ep', 'e1'), task('off', 'e2'));
    await vi.waitFor(() => expect(harness!.log.records(topics.deadLetter)).toHaveLength(2));
    const sent = sentHeaders[0]?.traceparent;
    expect(sent).toMatch(traceparentShape);
    expect(headersOn(harness, topics.attempts)).toEqual([sent]);
    // The dead letter of the failed attempt carries its context; the parked task had none to carry.
    const letters = harness.log
      .records(topics.deadLetter)
      .map((r) => [JSON.parse(r.value!.toString()).task.eventId, traceparentFrom(r.headers)]);
    expect(letters).toEqual(
      expect.arrayContaining([
        ['e1', sent],
        ['e2', undefined],
      ]),
    );
  });
});
