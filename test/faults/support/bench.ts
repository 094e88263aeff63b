import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AttemptRecord, DeadLetterRecord } from '@hookline/core';
import { Hookline, type ReceivedRequest, Receiver, type ReceiverReply, serviceNames, TestTenant } from '@hookline/testkit';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { checkScenario, type EndpointUnderCheck, type ScenarioSummary, summaryLine } from './checker.js';
import { LoadGenerator } from './load.js';
import { serviceDigest } from './log-digest.js';
import { faultProfile, summaryFile } from './profile.js';
import { TopicTail } from './topic-tail.js';

/** Short retry tiers so failing endpoints reach the dead-letter topic within seconds. */
// Short tiers for the scenarios' endpoints, plus every tier the built-in profiles use: delivery refuses to start
// when a profile's schedule names a tier that is not a topic (its retries would go where nobody reads).
const serviceEnv = { HOOKLINE_RETRY_TIERS: '0s,1s,2s,5s,30s,1m,5m,30m,1h,2h,5h,10h', DELIVERY_TIMEOUT_MS: '2000', LOG_LEVEL: 'info' };

export interface EndpointSpec {
  label: string;
  /** What the receiver answers on this endpoint's path; a quick 200 by default. */
  reply?: (request: ReceivedRequest, index: number) => ReceiverReply;
  /** Endpoint fields beyond url/events (retrySchedule, timeoutMs, maxConcurrency, ...). */
  overrides?: Record<string, unknown>;
  expect?: EndpointUnderCheck['expect'];
  reason?: RegExp;
}

export interface ScenarioSpec {
  name: string;
  events: number;
  perSecond: number;
  endpoints: EndpointSpec[];
  /** Injects the fault and recovers from it; called once `faultAt` of the events have been sent. */
  fault?: () => Promise<void>;
  faultAt?: number;
  /** How long to wait for every delivery to settle after the load and the fault are over. */
  quietTimeoutMs?: number;
}

export const healthy = (count: number): EndpointSpec[] =>
  Array.from({ length: count }, (_, i) => ({ label: `healthy-${i}`, reply: () => ({ status: 200, delayMs: 5 }) }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One file's fault bench: the five services on the suite's own infrastructure, one tenant, tails of the
 * dead-letter and attempts topics, and `run(scenario)`: load, fault, recovery, quiet, check, summary.
 */
export function useFaultBench() {
  const receivers: Receiver[] = [];
  let deadLetters: TopicTail<DeadLetterRecord>;
  let attempts: TopicTail<AttemptRecord>;
  const bench = {
    hookline: undefined as unknown as Hookline,
    tenant: undefined as unknown as TestTenant,
    profile: faultProfile(),
    infra: undefined as unknown as ReturnType<typeof inject<'faultInfra'>>,

    /** kill -9 of the given services, then each started again (same ports). */
    async killAndRestart(...names: (typeof serviceNames)[number][]): Promise<void> {
      await Promise.all(names.map((name) => bench.hookline.signal(name, 'SIGKILL')));
      await sleep(1_000);
      await Promise.all(names.map((name) => bench.hookline.startService(name)));
    },

    async run(spec: ScenarioSpec): Promise<ScenarioSummary> {
      const started = Date.now();
      // One receiver (origin) per endpoint: endpoints of different subscribers do not share a host, and the
      // sender's connection pool is per origin.
      const endpointReceivers: Receiver[] = [];
      const endpoints: EndpointUnderCheck[] = [];
      for (const [i, e] of spec.endpoints.entries()) {
        const receiver = await Receiver.start();
        receivers.push(receiver);
        endpointReceivers.push(receiver.respond(e.reply ?? (() => ({ status: 200 }))));
        const path = `/${spec.name}/${i}`;
        const created = await bench.tenant.createEndpoint({
          name: `${spec.name} ${e.label}`,
          url: `${receiver.url}${path}`,
          events: [`${spec.name}.*`],
          retrySchedule: ['1s', '2s', '5s'],
          ...e.overrides,
        });
        endpoints.push({
          id: created.id,
          label: e.label,
          path,
          expect: e.expect ?? 'delivered',
          ...(e.reason ? { reason: e.reason } : {}),
        });
      }

      const load = new LoadGenerator({
        ingestUrl: bench.hookline.ingestUrl,
        apiKey: bench.tenant.apiKey,
        eventType: `${spec.name}.tick`,
        count: spec.events,
        perSecond: spec.perSecond,
      });
      let recoveredAtSeq: number | undefined;
      if (spec.fault) {
        await load.sent(Math.floor(spec.events * (spec.faultAt ?? 0.4)));
        await spec.fault();
        recoveredAtSeq = load.counts.sent;
      }
      await load.done;

      const summarize = async () => {
        const statsAttempts = new Map<string, number>();
        for (const e of endpoints) statsAttempts.set(e.id, (await bench.tenant.stats(e.id).catch(() => undefined))?.totalDeliveries ?? 0);
        return checkScenario({
          scenario: spec.name,
          profile: bench.profile.name,
          load,
          endpoints,
          requests: endpointReceivers.flatMap((r) => r.requests),
          deadLetters: deadLetters.records,
          attempts: attempts.records,
          statsAttempts,
          crashedServices: serviceNames.filter((name) => !bench.hookline.isRunning(name)),
          ...(recoveredAtSeq === undefined ? {} : { recoveredAtSeq }),
        });
      };
      // Quiet: nothing lost any more and the projector's stats have caught up with the attempts topic.
      const deadline = Date.now() + (spec.quietTimeoutMs ?? 180_000);
      let summary = await summarize();
      while ((summary.lost > 0 || summary.statsMismatches.length > 0) && Date.now() < deadline) {
        await sleep(1_000);
        summary = await summarize();
      }
      // Late duplicates or retries would show up now.
      await sleep(2_000);
      summary = { ...(await summarize()), durationMs: Date.now() - started };
      console.log(summaryLine(summary));
      if (summary.unexpectedOutcomes.length) console.log(`[faults] ${spec.name}: unexpected: ${summary.unexpectedOutcomes.join('; ')}`);
      if (summary.lostSamples.length) console.log(`[faults] ${spec.name}: lost, e.g. ${summary.lostSamples.join('; ')}`);
      if (summary.statsMismatches.length) console.log(`[faults] ${spec.name}: stats: ${summary.statsMismatches.join('; ')}`);
      const failed = summary.lost + summary.statsMismatches.length + summary.unexpectedOutcomes.length + summary.crashedServices.length;
      if (failed > 0) console.log(await serviceDigest(bench.hookline, started));
      appendSummary(summary);
      return summary;
    },
  };

  beforeAll(async () => {
    bench.infra = inject('faultInfra');
    bench.hookline = await Hookline.start({ infra: bench.infra.urls, env: serviceEnv });
    bench.tenant = await TestTenant.create(bench.hookline, 'Fault suite');
    console.log(
      `[faults] services' namespace (topic prefix, database) ${bench.hookline.namespace}; logs in .hookline/test-logs/${bench.hookline.namespace}/`,
    );
    const prefix = `${bench.hookline.namespace}.`;
    [deadLetters, attempts] = await Promise.all([
      TopicTail.start<DeadLetterRecord>(bench.infra.urls.kafkaBrokers, `${prefix}dead-letter`),
      TopicTail.start<AttemptRecord>(bench.infra.urls.kafkaBrokers, `${prefix}attempts`),
    ]);
  });
  afterAll(async () => {
    await Promise.all([deadLetters?.stop(), attempts?.stop()]);
    await Promise.all([bench.hookline?.stop(), ...receivers.map((r) => r.close())]);
  });
  return bench;
}

/** Adds a scenario's summary to test-results/faults-summary.json (files run one at a time). */
function appendSummary(summary: ScenarioSummary): void {
  const previous = existsSync(summaryFile)
    ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as { scenarios: ScenarioSummary[] })
    : { scenarios: [] };
  const scenarios = [...previous.scenarios.filter((s) => s.scenario !== summary.scenario), summary];
  const totals = {
    eventsSent: scenarios.reduce((n, s) => n + s.eventsSent, 0),
    accepted: scenarios.reduce((n, s) => n + s.accepted, 0),
    deliveriesExpected: scenarios.reduce((n, s) => n + s.deliveriesExpected, 0),
    delivered: scenarios.reduce((n, s) => n + s.delivered, 0),
    deadLettered: scenarios.reduce((n, s) => n + s.deadLettered, 0),
    lost: scenarios.reduce((n, s) => n + s.lost, 0),
    duplicates: scenarios.reduce((n, s) => n + s.duplicates, 0),
  };
  writeFileSync(
    summaryFile,
    `${JSON.stringify({ profile: summary.profile, updatedAt: new Date().toISOString(), totals, scenarios }, null, 2)}\n`,
  );
}

/** What every scenario must show, whatever its fault. */
export function expectNothingLost(summary: ScenarioSummary): void {
  expect(summary.accepted, 'some events were accepted').toBeGreaterThan(0);
  expect(summary.lost, 'lost').toBe(0);
  expect(summary.deliveredAfterRefusal, 'deliveries of refused posts').toBe(0);
  expect(summary.webhookIdMismatches, 'duplicates with another webhook-id').toBe(0);
  expect(summary.unexpectedOutcomes, 'unexpected outcomes').toEqual([]);
  expect(summary.statsMismatches, 'stats equal the attempts made').toEqual([]);
  expect(summary.crashedServices, 'services still running').toEqual([]);
}
