/**
 * A process that opens a cluster state store and commits one run that decides two notifications, for
 * the crash tests: the parent SIGKILLs it at a chosen moment. Usage: node crash-child.ts URL PREFIX.
 * Prints `opened` once the store is open.
 */
import { createDocStore } from '../../../src/cluster/docstore.ts';
import { silentLogger } from '../../../src/log.ts';
import { ClusterStateStore } from '../../../src/state/cluster/index.ts';
import { crashCommit } from './crash-commit.ts';

const [url, prefix] = process.argv.slice(2) as [string, string];
const store = await ClusterStateStore.open({ docs: createDocStore({ name: 'state', urls: [url] }, silentLogger()), ownsClient: true, prefix, node: 'child', writes: { paceMs: 1 } });
process.stdout.write('opened\n');
await store.commit(crashCommit());
process.stdout.write('committed\n');
