import { MongoClient } from 'mongodb';

/**
 * A connected client as every read model uses it. Retryable writes are off because FerretDB (the MongoDB-wire
 * server on machines without MongoDB) has no sessions to back them; our writes are idempotent by `_id` instead.
 */
export async function connectMongo(url: string): Promise<MongoClient> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, retryWrites: false });
  await client.connect();
  return client;
}
