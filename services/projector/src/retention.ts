import { bucketRetentionMs, ExpiredDocuments, type ExpiringKind, type Store } from '@hookline/store';
import type { z } from 'zod';
import type { projectorEnvSchema } from './env.js';

type ProjectorEnv = z.infer<typeof projectorEnvSchema>;

/** What expires, and after how long: the configured retentions and the chart buckets' fixed ones. */
export async function retentionTargets(
  store: Pick<Store, 'db'>,
  env: ProjectorEnv,
): Promise<{ target: ExpiredDocuments; retentionMs: number }[]> {
  const retentionMs: Record<ExpiringKind, number> = {
    attempts: env.HOOKLINE_RETENTION_ATTEMPTS,
    circuit_transitions: env.HOOKLINE_RETENTION_ATTEMPTS,
    replayed_dead_letters: env.HOOKLINE_RETENTION_REPLAYED_DEAD_LETTERS,
    incoming_calls: env.HOOKLINE_RETENTION_INCOMING_CALLS,
    idempotency_keys: env.HOOKLINE_RETENTION_IDEMPOTENCY_KEYS,
    ...bucketRetentionMs,
  };
  const targets = Object.entries(retentionMs).map(([kind, ms]) => ({
    target: new ExpiredDocuments(store.db, kind as ExpiringKind),
    retentionMs: ms,
  }));
  for (const { target } of targets) await target.ensureIndexes();
  return targets;
}
