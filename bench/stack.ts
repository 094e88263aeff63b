/**
 * Hookline under test: the five services as separate processes on the shared infrastructure (their own
 * namespace, LOG_LEVEL=warn), tenants whose endpoints all point at the bench receiver, and the two ways events
 * enter: `POST /v1/events` on ingest and straight onto the `events` topic. Every event carries a `seq` in its
 * data; `acceptedAt[seq]` is when ingest answered 202 or the broker acknowledged it.
 */
import { newId, type TopicNames, topicNames } from '@hookline/core';
import { ConsumerLagMonitor, createKafkaEventLog, type EventLog, type RecordPublisher } from '@hookline/kafka';
import { createLogger } from '@hookline/service';
import { Store } from '@hookline/store';
import { Hookline, type InfraUrls, startInfra, TestTenant } from '@hookline/testkit';
import { Registry } from 'prom-client';
import { Pool } from 'undici';

/** ~1 KB of data, like the raw-limit client's body. */
export const blob = 'x'.repeat(900);
export const eventType = 'bench.event';

export type Entry = 'ingest' | 'kafka';

export interface BenchTenant {
  tenant: TestTenant;
  endpointIds: string[];
  /** Seconds the endpoints took to create through the admin API. */
  creationSeconds: number;
}

export interface EndpointSpec {
  path: string;
  /** The receiver's origin for this endpoint (`BenchReceiver.origin(i)`); its main one (127.0.0.1) by default. */
  origin?: string;
  settings?: Record<string, unknown>;
}

/**
 * A data-path consumer group committed nothing for `backlogStuckAfterMs` while records waited, judged as its
 * service's own `/health` judges it (`ConsumerLagMonitor`): a hung service, or a store that stopped answering. No
 * wait fixes that; round 11's first full run waited 600 s per phase for a projector whose FerretDB had stopped
 * answering, then crashed two scenarios later without saying why. Measured from the bench, not asked of the service:
 * a service waiting on a hung store does not answer its `/health` either.
 */
export class BacklogStuckError extends Error {
  override readonly name = 'BacklogStuckError';

  constructor(readonly reason: string | undefined) {
    super(`${reason ?? 'a consumer group commits nothing'}; see its service's log under .hookline/test-logs; the bench stops here`);
  }
}

type BenchLogger = ReturnType<typeof createLogger>;

/** How long a group may commit nothing while records wait before the wait for the backlog stops. */
const backlogStuckAfterMs = 120_000;

export class BenchStack {
  /** When each event was accepted (ms since the epoch, sub-ms), indexed by its seq. */
  readonly acceptedAt: number[] = [];
  /** When the POST (or the produce) of `seq` was sent: the client's own wait for the 202 counts from here. */
  readonly sentAt: number[] = [];
  private nextSeq = 0;
  private readonly ingest: Pool;
  private readonly topics: TopicNames;

  private constructor(
    readonly hookline: Hookline,
    readonly infra: InfraUrls,
    private readonly log: EventLog,
    private readonly publisher: RecordPublisher,
    private readonly receiverUrl: string,
    private readonly logger: BenchLogger,
  ) {
    this.ingest = new Pool(hookline.ingestUrl, { connections: 64, keepAliveTimeout: 60_000 });
    this.topics = topicNames(`${hookline.namespace}.`);
  }

  /** `fromBuild`: the services run as production runs them (`node dist/main.js`), else from source through tsx. */
  static async start(receiverUrl: string, env: Record<string, string>, fromBuild: boolean): Promise<BenchStack> {
    const infra = await startInfra();
    const hookline = await Hookline.start({
      infra,
      namespace: `bench${Date.now().toString(36)}`,
      env: { LOG_LEVEL: 'warn', ...env },
      fromBuild,
    });
    const logger = createLogger('bench', 'warn');
    const log = createKafkaEventLog({ brokers: infra.kafkaBrokers.split(','), clientId: 'bench', logger });
    return new BenchStack(hookline, infra, log, await log.publisher(), receiverUrl, logger);
  }

  /** A tenant with one endpoint per spec (created `parallelism` at a time), all subscribed to the bench type. */
  async tenant(name: string, specs: EndpointSpec[], parallelism = 16): Promise<BenchTenant> {
    const tenant = await TestTenant.create(this.hookline, name);
    const started = performance.now();
    const endpointIds = new Array<string>(specs.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(parallelism, specs.length) }, async () => {
        while (next < specs.length) {
          const i = next++;
          const spec = specs[i]!;
          const created = await tenant.createEndpoint({
            name: `bench-${i}`,
            url: `${spec.origin ?? this.receiverUrl}${spec.path}`,
            events: [eventType],
            ...spec.settings,
          });
          endpointIds[i] = created.id;
        }
      }),
    );
    return { tenant, endpointIds, creationSeconds: (performance.now() - started) / 1000 };
  }

  async deleteEndpoint(tenant: TestTenant, id: string): Promise<void> {
    const response = await tenant.admin('DELETE', `/webhooks/${id}`);
    if (response.status !== 204) throw new Error(`endpoint deletion failed: ${response.status}`);
  }

  /** Seqs handed out so far; the next event gets this one. */
  get seqCount(): number {
    return this.nextSeq;
  }

  /** Events ingest refused with 503/429 (overloaded or the broker not acknowledging): not accepted, not expected. */
  refused = 0;

  /** Posts `count` events one request each, all at once; resolves with how many were accepted. */
  async postEvents(tenant: TestTenant, count: number): Promise<number> {
    const accepted = await Promise.all(Array.from({ length: count }, () => this.postEvent(tenant)));
    return accepted.filter(Boolean).length;
  }

  private async postEvent(tenant: TestTenant): Promise<boolean> {
    const seq = this.nextSeq++;
    this.sentAt[seq] = performance.timeOrigin + performance.now();
    const response = await this.ingest.request({
      method: 'POST',
      path: '/v1/events',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: eventType, data: { seq, blob } }),
    });
    const text = await response.body.text();
    if (response.statusCode === 503 || response.statusCode === 429) {
      this.refused++;
      return false;
    }
    if (response.statusCode !== 202) throw new Error(`ingest answered ${response.statusCode}: ${text}`);
    this.acceptedAt[seq] = performance.timeOrigin + performance.now();
    return true;
  }

  /** Produces `count` events in one publish straight to the events topic (acks=all), as a Kafka-native producer. */
  async produceEvents(tenant: TestTenant, count: number): Promise<number> {
    const timestamp = new Date().toISOString();
    const seqs = Array.from({ length: count }, () => this.nextSeq++);
    const sent = performance.timeOrigin + performance.now();
    for (const seq of seqs) this.sentAt[seq] = sent;
    await this.publisher.publish([
      {
        topic: this.topics.events,
        records: seqs.map((seq) => ({
          key: tenant.id,
          value: JSON.stringify({ id: newId('evt'), type: eventType, tenantId: tenant.id, timestamp, data: { seq, blob } }),
        })),
      },
    ]);
    const at = performance.timeOrigin + performance.now();
    for (const seq of seqs) this.acceptedAt[seq] = at;
    return count;
  }

  /** Sends `count` events the given way; resolves with how many were accepted. */
  submit(entry: Entry, tenant: TestTenant, count: number): Promise<number> {
    return entry === 'ingest' ? this.postEvents(tenant, count) : this.produceEvents(tenant, count);
  }

  /**
   * When fanout wrote the first task of each event (the task record's timestamp), by seq, for tasks written
   * since `sinceMs`: splits accept -> delivered into the hops before and after the `deliveries` topic.
   */
  async taskTimes(sinceMs: number): Promise<Map<number, number>> {
    const times = new Map<number, number>();
    const ranges = await this.log.offsetsForTime(this.topics.deliveries, sinceMs);
    await this.log.readRanges(this.topics.deliveries, ranges, async (records) => {
      for (const record of records) {
        const seq = Number(/"seq":(\d+)/.exec(record.value?.toString() ?? '')?.[1] ?? Number.NaN);
        if (Number.isNaN(seq)) continue;
        const known = times.get(seq);
        if (known === undefined || record.timestamp < known) times.set(seq, record.timestamp);
      }
    });
    return times;
  }

  /**
   * Waits until fanout, delivery and the projector have worked off what earlier phases left in their topics (lag
   * at most `slack` records each), so that a paced phase measures its own load and not the backlog of the one
   * before (the projector can be minutes behind after the throughput scenario). Gives up after `timeoutMs`.
   * Returns the seconds waited and the lag left. Throws `BacklogStuckError` when a group commits nothing for
   * `backlogStuckAfterMs` while records wait.
   */
  async drainBacklog(slack = 200, timeoutMs = 600_000): Promise<{ seconds: number; lagLeft: number }> {
    const started = performance.now();
    const { namespace } = this.hookline;
    const groups: [string, string[]][] = [
      [`${namespace}-fanout`, [this.topics.events]],
      [`${namespace}-delivery`, [this.topics.deliveries]],
      [`${namespace}-projector`, [this.topics.attempts]],
    ];
    const registry = new Registry();
    const monitors = groups.map(
      ([groupId, topics]) =>
        new ConsumerLagMonitor({
          log: this.log,
          groupId,
          topics,
          registry,
          logger: this.logger,
          // Measured below, once a second, rather than on the monitor's own timer.
          intervalMs: 1_000,
          stalledAfterMs: backlogStuckAfterMs,
        }),
    );
    for (;;) {
      await Promise.all(monitors.map((monitor) => monitor.measure()));
      const verdicts = monitors.map((monitor) => monitor.health());
      const stuck = verdicts.find((verdict) => verdict.status === 'down');
      if (stuck) throw new BacklogStuckError(stuck.reason);
      // With no lag bound set, `degraded` means the lag could not be read (the monitor logged why): an unknown lag
      // must not pass for a drained one.
      const unknown = verdicts.find((verdict) => verdict.status === 'degraded');
      if (unknown) throw new Error(unknown.reason);
      const lagLeft = Math.max(0, ...monitors.flatMap((monitor) => [...monitor.lag.values()]));
      const seconds = (performance.now() - started) / 1000;
      if (lagLeft <= slack || seconds * 1000 > timeoutMs) return { seconds, lagLeft };
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private storeConnection: Promise<Store> | undefined;

  /** The namespace's read models (for their size on disk). */
  store(): Promise<Store> {
    this.storeConnection ??= Store.connect(this.infra.mongoUrl, this.hookline.namespace);
    return this.storeConnection;
  }

  /**
   * Stops the services and drops the namespace's read models and topics (a full run leaves ~2 GB in MongoDB and
   * ~100 partitions on the broker, and each run has its own namespace: 180 runs had left 11,000 partition
   * directories, 13 GB, on this machine's broker). `keepData` (BENCH_KEEP_DATA=1) keeps them to look at.
   */
  async stop(keepData: boolean): Promise<void> {
    await this.hookline.stop();
    const { namespace } = this.hookline;
    if (!keepData) {
      // The figures are still written when one fails; only that cleanup is left undone.
      // Connecting can fail too (round 11: FerretDB did not answer the handshake in time); that must not lose the figures.
      await this.store()
        .then((store) => store.db.dropDatabase())
        .catch((error) => console.error(`dropping the bench database ${namespace} failed:`, error));
      await this.log
        .deleteNamespace(`${namespace}.`)
        .catch((error) => console.error(`deleting the bench topics ${namespace}.* failed:`, error));
    }
    const store = this.storeConnection;
    await Promise.allSettled([this.publisher.close().then(() => this.log.close()), this.ingest.close(), store?.then((s) => s.close())]);
  }
}
