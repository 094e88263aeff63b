import { BSON, MongoBulkWriteError, MongoInvalidArgumentError, MongoServerError } from 'mongodb';

/**
 * Server codes for a document the server will never take, however often it is retried: a bad value (FerretDB
 * answers 2 for a key with `.` or a leading `$`), an empty, dotted or `$`-prefixed field name, a document too large.
 */
const refusedCodes = new Set([2, 52, 55, 56, 57, 10334, 17419, 17280]);

/**
 * True when a write failed because of what was written (the same write fails again), not because of the server
 * or the network (worth retrying). A consumer sends such records to `rejected` instead of retrying its batch.
 */
export function isUnstorable(error: unknown): boolean {
  // Thrown while serializing, before anything is sent: a NUL byte in a key, nesting deeper than the encoder goes.
  if (error instanceof BSON.BSONError || error instanceof MongoInvalidArgumentError || error instanceof RangeError) return true;
  if (error instanceof MongoBulkWriteError) {
    const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return errors.some((e) => refusedCodes.has(e.code));
  }
  return error instanceof MongoServerError && typeof error.code === 'number' && refusedCodes.has(error.code);
}
