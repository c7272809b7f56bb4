/**
 * What the commands that work on stored data open, following the backend the configuration and the
 * environment select (`state.backend`, VIGIL_STATE_BACKEND): with SQLite, the data folder (locked: a
 * running daemon refuses it) and the accounts folder; with the cluster backend, the cluster's indices,
 * no data folder and no lock, safe beside running daemons (they leave deliveries a stopped daemon
 * decided to the daemons, and their account writes are conditional).
 */
import { hostname } from 'node:os';
import { systemClock } from '../clock.ts';
import type { VigilConfig } from '../config/schema.ts';
import { silentLogger } from '../log.ts';
import { openStateStore } from '../state/open-store.ts';
import type { StateStore } from '../state/types.ts';
import type { AccountDocStore } from '../accounts/doc-store.ts';
import { AccountFileStore } from '../accounts/store.ts';
import { openClusterBackend, type ClusterBackend } from '../app/cluster-backend.ts';

/** The name written as the author of what a command stores in the cluster. */
export const toolNode = (command: string): string => `vigil ${command}@${hostname()}`;

export interface ToolState {
  store: StateStore;
  /** The cluster backend when it is the one selected. */
  cluster: ClusterBackend | null;
  close(): Promise<void>;
}

/** The state store of the selected backend (SQLite: the data folder's, locked). */
export async function openToolState(config: VigilConfig, command: string): Promise<ToolState> {
  if (config.state.backend === 'cluster') {
    const cluster = await openClusterBackend(config, { logger: silentLogger(), clock: systemClock, node: toolNode(command), recover: false });
    return { store: cluster.store, cluster, close: () => cluster.store.close() };
  }
  const store = openStateStore(config.data_dir);
  return { store, cluster: null, close: () => store.close() };
}

/** Where the accounts are kept: the accounts folder (nothing else is opened), or the cluster's index. */
export async function openToolAccounts(config: VigilConfig, command: string): Promise<{ store: AccountDocStore; close(): Promise<void> }> {
  if (config.state.backend !== 'cluster') return { store: new AccountFileStore(config.accounts_dir), close: async () => {} };
  const state = await openToolState(config, command);
  return { store: state.cluster!.accounts, close: () => state.close() };
}
