import { randomUUID } from 'node:crypto';
import { eventually, type ReceivedRequest, type Receiver, type TestTenant } from '@hookline/testkit';

/**
 * "Nothing else arrived", checked on conditions instead of the clock.
 *
 * Events are keyed by tenant and tasks by endpoint, so everything one tenant posts reaches one endpoint through
 * one partition of each topic, in the order it was posted, and the endpoint's requests start in that order. A
 * sentinel event posted after the events under test therefore arrives after anything those events caused
 * directly (a duplicate, an event a filter should have dropped, an event a rejected request should not have
 * produced). Once it is in, the requests counted are all there will be, and a test asserts their number exactly.
 *
 * Retries are the exception: they come back through delayed tier topics, after any sentinel. Checks about
 * retries first wait for what the pipeline itself records as the end of a delivery (`finalAttempt`: the attempt
 * marked final, or `deadLetterCount`: the dead letter), then count.
 */

/** What a sentinel carries in its event data; the receiver's copy is found by the marker. */
export interface SentinelData {
  sentinel: string;
}

export interface Settled {
  /** The sentinel's request. */
  sentinel: ReceivedRequest;
  /** Every other request the receiver got, in arrival order. */
  others: ReceivedRequest[];
}

/**
 * Posts a sentinel through `post` (an event the same endpoint receives: `post` merges `data` into the event's
 * data) and waits until `receiver` got it; fails if it does not come or comes twice.
 */
export async function settleWithSentinel(
  receiver: Receiver,
  post: (data: SentinelData) => Promise<unknown>,
  timeoutMs = 60_000,
): Promise<Settled> {
  const marker = `sentinel_${randomUUID()}`;
  const isSentinel = (request: ReceivedRequest) => request.body.includes(marker);
  await post({ sentinel: marker });
  const sentinel = await eventually(async () => receiver.requests.find(isSentinel), timeoutMs, 50);
  const copies = receiver.requests.filter(isSentinel).length;
  if (copies !== 1) throw new Error(`the sentinel arrived ${copies} times`);
  return { sentinel, others: receiver.requests.filter((request) => !isSentinel(request)) };
}

/** A sentinel poster for `settleWithSentinel`: an event of `type` from `tenant`, with `data` besides the marker. */
export function sentinelEvent(
  tenant: TestTenant,
  type: string,
  data: Record<string, unknown> = {},
): (sentinel: SentinelData) => Promise<string> {
  return (sentinel) => tenant.postEvent(type, { ...data, ...sentinel });
}

export interface AttemptLogEntry {
  attempt: number;
  outcome: 'success' | 'failure';
  statusCode?: number;
  final: boolean;
  [field: string]: unknown;
}

/** Waits until the delivery's log ends with the attempt the pipeline marked final; returns the whole log. */
export async function finalAttempt(
  tenant: TestTenant,
  endpointId: string,
  deliveryId: string,
  timeoutMs = 60_000,
): Promise<AttemptLogEntry[]> {
  return eventually(
    async () => {
      const detail = await tenant.admin('GET', `/webhooks/${endpointId}/deliveries/${deliveryId}`);
      const log = detail.status === 200 ? (detail.body.attemptsLog as AttemptLogEntry[]) : undefined;
      return log?.at(-1)?.final ? log : undefined;
    },
    timeoutMs,
    100,
  );
}

/** How many of the endpoint's dead letters are still dead (not replayed). */
export async function deadLetterCount(tenant: TestTenant, endpointId: string): Promise<number> {
  const response = await tenant.admin('GET', `/webhooks/${endpointId}/dead-letters?state=dead&limit=1`);
  if (response.status !== 200) throw new Error(`dead letters of ${endpointId}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.total as number;
}
