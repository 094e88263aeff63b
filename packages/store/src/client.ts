import { MongoClient } from 'mongodb';

/** How often the driver checks each pool's size and prunes perished connections. */
const poolCheckIntervalMs = 5_000;
/**
 * Longest a store call waits for its answer. The driver's default is forever, so a server that never answers (an
 * answer lost, or a server saturated for good) would hold the call, and a projector batch with it, forever. Far
 * above any call Hookline makes (writes and deletes go in bounded batches); one that times out throws, and its
 * batch is read again.
 */
const socketTimeoutMs = 60_000;

/**
 * A connected client as every read model uses it. Retryable writes are off because FerretDB (the MongoDB-wire
 * server on machines without MongoDB) has no sessions to back them; our writes are idempotent by `_id` instead.
 */
export async function connectMongo(url: string): Promise<MongoClient> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 10_000,
    socketTimeoutMS: socketTimeoutMs,
    // A call waiting for a connection of the pool waits forever by default: bounded like an answer.
    waitQueueTimeoutMS: socketTimeoutMs,
    retryWrites: false,
  });
  // The driver wakes every connection pool each 100 ms to top it up to `minPoolSize` and prune idle connections;
  // with neither set (0) that is 10 wake-ups a second of an idle service for nothing. Not a public option, so it
  // is set on the parsed options before connecting (the pools read it when they are created).
  (client.options as { minPoolSizeCheckFrequencyMS?: number }).minPoolSizeCheckFrequencyMS = poolCheckIntervalMs;
  await client.connect();
  return client;
}
