import { type AttemptRecord, type DeadLetterRecord, deliveryIdFor, isEndpointStatusValue } from '@hookline/core';
import { answeredSuccess, type ReceivedRequest } from '@hookline/testkit';
import type { LoadCounts } from './load.js';

/** An endpoint of a scenario and what must become of every accepted event for it. */
export interface EndpointUnderCheck {
  id: string;
  label: string;
  /** Path on the scenario's receiver: identifies the endpoint's requests. */
  path: string;
  expect: 'delivered' | 'dead-lettered';
  /** A dead letter's reason must match this. */
  reason?: RegExp;
}

export interface CheckInput {
  scenario: string;
  profile: string;
  load: { counts: LoadCounts; accepted: Map<number, string>; refusedSeqs: Set<number> };
  endpoints: EndpointUnderCheck[];
  requests: ReceivedRequest[];
  deadLetters: DeadLetterRecord[];
  attempts: AttemptRecord[];
  /** Total attempts per endpoint according to the projector's stats (config-api). */
  statsAttempts: Map<string, number>;
  crashedServices: string[];
  /** The first event sent after the fault's recovery finished, if there was a fault. */
  recoveredAtSeq?: number;
}

export interface ScenarioSummary {
  scenario: string;
  profile: string;
  eventsSent: number;
  accepted: number;
  /** Accepted events sent after recovery: the system took load again (undefined without a fault). */
  acceptedAfterRecovery?: number;
  refused: Record<string, number>;
  failedPosts: number;
  slowestPostMs: number;
  endpoints: number;
  deliveriesExpected: number;
  delivered: number;
  deadLettered: number;
  /** Accepted event × subscribed endpoint with neither a successful delivery nor a dead letter: must be 0. */
  lost: number;
  /** A few lost pairs (event sequence number, endpoint, delivery id), to start an investigation from. */
  lostSamples: string[];
  /** Successful requests beyond the first for the same event and endpoint. */
  duplicates: number;
  /** Event × endpoint pairs whose requests carried more than one `webhook-id`, or not the expected one: must be 0. */
  webhookIdMismatches: number;
  /** Delivered where a dead letter was expected or the other way round, or a dead letter's reason that does not match. */
  unexpectedOutcomes: string[];
  /** Distinct attempt ids on the `attempts` topic, and the projector's total for the same endpoints. */
  attemptsOnTopic: number;
  statsAttempts: number;
  /** Endpoints whose stats total differs from the attempts on the topic: must be empty. */
  statsMismatches: string[];
  /** Deliveries of events whose POST got no answer but which reached the broker anyway (allowed). */
  unacknowledgedButDelivered: number;
  /** Deliveries of events whose POST was refused (e.g. 503): must be 0, or a client's retry would duplicate them. */
  deliveredAfterRefusal: number;
  crashedServices: string[];
  durationMs?: number;
}

const seqOf = (request: ReceivedRequest): number | undefined => {
  try {
    const seq = JSON.parse(request.body)?.data?.seq;
    return typeof seq === 'number' ? seq : undefined;
  } catch {
    return undefined;
  }
};

/** Everything a scenario must show, computed from what the receivers, the topics and the stats say. */
export function checkScenario(input: CheckInput): ScenarioSummary {
  const { endpoints, load } = input;
  const byPath = new Map(endpoints.map((e) => [e.path, e]));
  const deadByDelivery = new Map(input.deadLetters.map((d) => [d.task.deliveryId, d]));
  const attemptIds = new Map<string, Set<string>>();
  for (const a of input.attempts) {
    // Circuit transitions and lane changes share the topic; they are not attempts.
    if (isEndpointStatusValue(a)) continue;
    const ids = attemptIds.get(a.endpointId) ?? new Set<string>();
    attemptIds.set(a.endpointId, ids.add(a.attemptId));
  }

  // Requests per (seq, endpoint), as the receiver saw them.
  const seen = new Map<string, { ids: Set<string>; successes: number }>();
  let unacknowledgedButDelivered = 0;
  let deliveredAfterRefusal = 0;
  for (const request of input.requests) {
    const endpoint = byPath.get(request.path);
    const seq = seqOf(request);
    if (!endpoint || seq === undefined) continue;
    if (!load.accepted.has(seq)) {
      if (load.refusedSeqs.has(seq)) deliveredAfterRefusal++;
      else if (answeredSuccess(request)) unacknowledgedButDelivered++;
      continue;
    }
    const key = `${seq}/${endpoint.id}`;
    const entry = seen.get(key) ?? { ids: new Set<string>(), successes: 0 };
    entry.ids.add(String(request.headers['webhook-id']));
    if (answeredSuccess(request)) entry.successes++;
    seen.set(key, entry);
  }

  const summary: ScenarioSummary = {
    scenario: input.scenario,
    profile: input.profile,
    eventsSent: load.counts.sent,
    accepted: load.counts.accepted,
    ...(input.recoveredAtSeq === undefined
      ? {}
      : { acceptedAfterRecovery: [...load.accepted.keys()].filter((seq) => seq >= input.recoveredAtSeq!).length }),
    refused: load.counts.refused,
    failedPosts: load.counts.failed,
    slowestPostMs: load.counts.slowestMs,
    endpoints: endpoints.length,
    deliveriesExpected: load.accepted.size * endpoints.length,
    delivered: 0,
    deadLettered: 0,
    lost: 0,
    lostSamples: [],
    duplicates: 0,
    webhookIdMismatches: 0,
    unexpectedOutcomes: [],
    attemptsOnTopic: 0,
    statsAttempts: 0,
    statsMismatches: [],
    unacknowledgedButDelivered,
    deliveredAfterRefusal,
    crashedServices: input.crashedServices,
  };
  const unexpected = (endpoint: EndpointUnderCheck, what: string) => {
    // One line per endpoint and kind is enough to act on; the counts say how many.
    const line = `${endpoint.label}: ${what}`;
    if (!summary.unexpectedOutcomes.includes(line)) summary.unexpectedOutcomes.push(line);
  };
  for (const [seq, eventId] of load.accepted) {
    for (const endpoint of endpoints) {
      const deliveryId = deliveryIdFor(eventId, endpoint.id);
      const entry = seen.get(`${seq}/${endpoint.id}`);
      if (entry && (entry.ids.size > 1 || !entry.ids.has(deliveryId))) summary.webhookIdMismatches++;
      const dead = deadByDelivery.get(deliveryId);
      const delivered = Boolean(entry && entry.successes > 0);
      if (delivered) summary.duplicates += entry!.successes - 1;
      if (dead?.reason && (endpoint.expect === 'dead-lettered' || !delivered)) {
        // Dead-lettered; the receiver may still have taken an attempt the sender saw fail (a dribbled answer).
        summary.deadLettered++;
        if (endpoint.expect !== 'dead-lettered') unexpected(endpoint, `dead-lettered (${dead.reason}), expected delivered`);
        else if (endpoint.reason && !endpoint.reason.test(dead.reason))
          unexpected(endpoint, `dead-letter reason ${JSON.stringify(dead.reason)} does not match ${endpoint.reason}`);
      } else if (delivered) {
        summary.delivered++;
        if (endpoint.expect !== 'delivered') unexpected(endpoint, 'delivered without a dead letter, expected one');
      } else {
        summary.lost++;
        if (summary.lostSamples.length < 5) summary.lostSamples.push(`seq ${seq} ${endpoint.label} ${deliveryId}`);
      }
    }
  }
  for (const endpoint of endpoints) {
    const onTopic = attemptIds.get(endpoint.id)?.size ?? 0;
    const inStats = input.statsAttempts.get(endpoint.id) ?? 0;
    summary.attemptsOnTopic += onTopic;
    summary.statsAttempts += inStats;
    if (onTopic !== inStats) summary.statsMismatches.push(`${endpoint.label}: ${inStats} in stats, ${onTopic} on the attempts topic`);
  }
  return summary;
}

/** The one-line form printed per scenario. */
export function summaryLine(s: ScenarioSummary): string {
  const refused =
    Object.entries(s.refused)
      .map(([status, n]) => `${n}×${status}`)
      .join(',') || '0';
  return (
    `[faults] ${s.scenario}: sent ${s.eventsSent}, accepted ${s.accepted}${s.acceptedAfterRecovery === undefined ? '' : ` (${s.acceptedAfterRecovery} after recovery)`} (refused ${refused}, no answer ${s.failedPosts}, slowest answer ${(s.slowestPostMs / 1000).toFixed(1)} s), ` +
    `deliveries expected ${s.deliveriesExpected}, delivered ${s.delivered}, dead-lettered ${s.deadLettered}, lost ${s.lost}, ` +
    `duplicates ${s.duplicates}, webhook-id mismatches ${s.webhookIdMismatches}, attempts ${s.attemptsOnTopic} on topic / ${s.statsAttempts} in stats` +
    (s.unacknowledgedButDelivered ? `, ${s.unacknowledgedButDelivered} deliveries of unanswered posts` : '') +
    (s.deliveredAfterRefusal ? `, ${s.deliveredAfterRefusal} deliveries of REFUSED posts` : '') +
    (s.durationMs !== undefined ? ` (${(s.durationMs / 1000).toFixed(1)} s)` : '')
  );
}
