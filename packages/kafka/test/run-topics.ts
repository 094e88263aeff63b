import type { EventLog } from '../src/port.js';

/**
 * Deletes the topics a test file made under its run's prefix (`${run}.`), so that runs do not pile partitions up
 * on a developer's broker. `HOOKLINE_KEEP_TEST_DATA=1` keeps them to look at, as for the e2e files.
 */
export async function deleteRunTopics(log: EventLog | undefined, run: string): Promise<void> {
  if (!log || process.env.HOOKLINE_KEEP_TEST_DATA === '1') return;
  try {
    await log.deleteNamespace(`${run}.`);
  } catch (error) {
    console.warn(`deleting the test topics ${run}.* failed (they stay):`, error);
  }
}
