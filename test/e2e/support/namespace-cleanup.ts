import { createKafkaEventLog } from '@hookline/kafka';
import { Store } from '@hookline/store';
import type { InfraUrls } from '@hookline/testkit';
import pino from 'pino';

/**
 * Deletes a finished e2e file's topics and drops its database. Each file has a namespace of its own, and a full
 * run left 33 namespaces' topics (54 partitions each, about 1,800) on the broker every time: a developer's broker
 * grew run after run, and so did its start and its idle work. `HOOKLINE_KEEP_TEST_DATA=1` keeps them to look at.
 * A failure is reported, never failing the file whose tests passed.
 */
export async function dropNamespace(infra: InfraUrls, namespace: string): Promise<void> {
  if (process.env.HOOKLINE_KEEP_TEST_DATA === '1') return;
  const log = createKafkaEventLog({ brokers: infra.kafkaBrokers.split(','), clientId: 'e2e-cleanup', logger: pino({ level: 'silent' }) });
  try {
    await Promise.all([log.deleteNamespace(`${namespace}.`), Store.drop(infra.mongoUrl, namespace)]);
  } catch (error) {
    console.warn(`cleaning up the test namespace ${namespace} failed (its topics or database stay):`, error);
  } finally {
    await log.close();
  }
}
