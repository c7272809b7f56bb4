/** The StateStore conformance suite on the embedded SQLite store. */
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { stateStoreSuite } from './store-suite.ts';

const tempDir = tempDirs('vigil-store-suite-');

stateStoreSuite('sqlite', async () => {
  const dir = tempDir();
  let store = new SqliteStateStore(dir, { commitPaceMs: 0 });
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new SqliteStateStore(dir, { commitPaceMs: 0 });
      return store;
    },
    close: () => store.close(),
  };
});
