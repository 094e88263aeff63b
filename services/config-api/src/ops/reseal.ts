import { configKey, type EndpointRecord } from '@hookline/core';
import { type EndpointSecrets, SealedValueUnreadable } from '@hookline/secrets';
import type { ConfigAccess, RecordPublisher } from '../ports.js';

export interface ResealReport {
  /** Endpoints read from `config`. */
  endpoints: number;
  /** Endpoints written again, every value sealed by the sealing key (or, in a dry run, that would be). */
  resealed: number;
  /** Endpoints left as they were because a value could not be opened (its key is not in the keyring). */
  failed: { endpointId: string; reason: string }[];
}

/** Endpoints written at once; each write waits until this process's view has it. */
const concurrentWrites = 50;

/**
 * Writes every endpoint whose secrets or header values are plain (records from before sealing) or sealed by
 * another key than the keyring's first one, with every value sealed by that key. Endpoints already sealed by
 * it are not written, so the command can run again after a failure. `updatedAt` is kept: nothing a tenant
 * set has changed.
 */
export async function resealEndpoints(options: {
  config: Pick<ConfigAccess, 'state' | 'update'>;
  publisher: RecordPublisher;
  secrets: Pick<EndpointSecrets, 'reseal'>;
  dryRun?: boolean;
}): Promise<ResealReport> {
  const { config, publisher, secrets } = options;
  const endpoints = [...config.state.endpoints.values()];
  const report: ResealReport = { endpoints: endpoints.length, resealed: 0, failed: [] };
  const changed: EndpointRecord[] = [];
  for (const endpoint of endpoints) {
    try {
      const resealed = secrets.reseal(endpoint);
      if (resealed) changed.push(resealed);
    } catch (error) {
      if (!(error instanceof SealedValueUnreadable)) throw error;
      report.failed.push({ endpointId: endpoint.id, reason: error.message });
    }
  }
  for (let i = 0; i < changed.length; i += concurrentWrites) {
    const batch = changed.slice(i, i + concurrentWrites);
    // Re-sealed on the endpoint as it is when written (a compare-and-set write): a tenant's edit made meanwhile is
    // kept, and its values are sealed again from the fresh record.
    if (!options.dryRun) {
      await Promise.all(
        batch.map((e) =>
          config.update(
            publisher,
            configKey('endpoint', e.id),
            (state) => state.endpoints.get(e.id),
            (current) => secrets.reseal(current) ?? current,
          ),
        ),
      );
    }
    report.resealed += batch.length;
  }
  return report;
}
