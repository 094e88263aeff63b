import type { TopicNames } from '@hookline/core';
import type { SchemaRegistryPort } from '@hookline/schema-registry';
import type { Alerts, IncomingCalls, Store } from '@hookline/store';
import type { JobKind, JobRunner, JobStore, RecoverParams, ReplayParams } from './jobs/index.js';
import type { AdminLimits } from './limits.js';
import type { ConfigAccess, RecordPublisher, TimeRangeReader } from './ports.js';
import type { WebhookDeps } from './routes/webhooks.js';

/** Everything the admin routes use; `main.ts` builds it, tests pass fakes. */
export interface AdminDeps {
  config: ConfigAccess;
  publisher: RecordPublisher;
  store: Store;
  alerts: Alerts;
  incomingCalls: IncomingCalls;
  /** The event log read by time (recover plans its ranges with it). */
  log: TimeRangeReader;
  jobs: AdminJobs;
  /** Where event types' schemas are registered; undefined: schemas are refused (503). */
  schemaRegistry: SchemaRegistryPort | undefined;
  topics: TopicNames;
  /** Subjects are `<prefix><tenantId>.<name>`, so deployments sharing a registry do not collide. */
  topicPrefix: string;
  retryTiers: string[];
  /** Production mode: endpoint URLs must be https. */
  requireHttps: boolean;
  /** How long send-test waits for the attempt's outcome. */
  testTimeoutMs: number;
  /** Ingest's public origin, to show incoming webhooks' full URLs; paths only when unknown. */
  ingestPublicUrl: string | undefined;
  rootToken: string | undefined;
  /** Quotas and the per-key rate (generous defaults when absent). */
  limits?: AdminLimits;
  /** Sealing of endpoint secrets and header values; Hookline's own ingest origins, refused as webhook URLs. */
  webhooks: WebhookDeps;
}

interface AdminJobs {
  runner: Pick<JobRunner, 'enqueue'>;
  store: Pick<JobStore, 'find'>;
  replay: JobKind<ReplayParams>;
  recover: JobKind<RecoverParams>;
}
