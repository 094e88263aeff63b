import { afterAll, beforeAll, inject } from 'vitest';
import { Store } from '../src/index.js';

/**
 * A Store on a database of its own (`<prefix>_<time>`) on the run's MongoDB-wire server for one test file: connected
 * before the file's tests (`connected` gets it, e.g. to keep it and set up indexes or spies), dropped after them.
 */
export function useTestStore(prefix: string, connected: (store: Store) => void | Promise<void>): void {
  let store: Store | undefined;
  beforeAll(async () => {
    store = await Store.connect(inject('infra').mongoUrl, `${prefix}_${Date.now().toString(36)}`);
    await connected(store);
  });
  afterAll(async () => {
    await store?.db.dropDatabase();
    await store?.close();
  });
}
