import { MongoBulkWriteError, MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { onlyDuplicateKeys } from '../src/insert-once.js';

/** A write error as the server reports one (the driver's `WriteError` class is not exported). */
interface ReportedWriteError {
  code: number;
  index: number;
  errmsg: string;
}

const bulkError = (writeErrors: ReportedWriteError[]) =>
  new MongoBulkWriteError({ message: 'bulk write failed', writeErrors } as never, {} as never);
const writeError = (code: number): ReportedWriteError => ({ code, index: 0, errmsg: `code ${code}` });

describe('onlyDuplicateKeys', () => {
  it('is true for a bulk write refused for duplicate ids only', () => {
    expect(onlyDuplicateKeys(bulkError([writeError(11000), writeError(11000)]))).toBe(true);
  });

  // How the driver reports a connection lost mid-write (a server restarting): nothing says what was written.
  it('is false for a bulk error without write errors', () => {
    expect(onlyDuplicateKeys(bulkError([]))).toBe(false);
  });

  it('is false when any other write error is among them, or for any other error', () => {
    expect(onlyDuplicateKeys(bulkError([writeError(11000), writeError(2)]))).toBe(false);
    expect(onlyDuplicateKeys(new MongoNetworkError('connection 4 to 127.0.0.1:37017 closed'))).toBe(false);
  });
});
