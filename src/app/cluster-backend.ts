/**
 * The cluster backend: the state store, the watch definitions and the accounts, all in indices of the
 * configured cluster `state.cluster` under `state.index_prefix`. Nothing is kept on local disk and no
 * lock is taken: several processes may open it (the CLI beside a daemon; several daemons sharing the
 * work is the next step), and compare-and-set writes keep any of them from overwriting another unseen.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { VigilConfig } from '../config/schema.ts';
import { createDocStore } from '../cluster/docstore.ts';
import type { DocStoreClient } from '../cluster/docstore-types.ts';
import { ClusterStateStore } from '../state/cluster/index.ts';
import { ClusterAccountStore } from '../accounts/cluster-store.ts';
import { ClusterWatchRepository } from '../watches/cluster-repository.ts';
import { clusterConfigs } from './settings.ts';
import { StoreLink } from './store-link.ts';

export interface ClusterBackend {
  store: ClusterStateStore;
  /** The document client the three share; closed with the store. */
  docs: DocStoreClient;
  accounts: ClusterAccountStore;
  watches: ClusterWatchRepository;
  /** The store's health and its admission for the scheduler. */
  link: StoreLink;
}

export interface ClusterBackendOptions {
  logger: Logger;
  clock: Clock;
  /** Whose name the documents written carry (`written_by`, `node`); default the configured node name. */
  node?: string;
  /**
   * False for tools beside running daemons (the CLI): deliveries a stopped daemon decided are left to
   * the daemons to put into the outbox.
   */
  recover?: boolean;
}

/** Opens the indices (created or migrated), then the three stores over one document client. */
export async function openClusterBackend(config: VigilConfig, o: ClusterBackendOptions): Promise<ClusterBackend> {
  const conf = clusterConfigs(config).find((c) => c.name === config.state.cluster)!;
  const docs = createDocStore(conf, o.logger);
  const link = new StoreLink();
  const node = o.node ?? config.node_name;
  const store = await ClusterStateStore.open({
    docs,
    ownsClient: true,
    prefix: config.state.index_prefix,
    node,
    clock: o.clock,
    logger: o.logger,
    onHealth: link.onHealth,
    recover: o.recover ?? true,
    writes: { maxQueued: config.state.queue_limit },
    // Daemons (not tools) deliver: what they create is claimed by them for a lease.
    ...(o.recover !== false ? { claimLeaseMs: config.cluster_mode.lease_ms } : {}),
  });
  return {
    store,
    docs,
    link,
    accounts: new ClusterAccountStore({ docs, index: store.names.accounts, clock: o.clock }),
    watches: new ClusterWatchRepository({ docs, index: store.names.watches, node, clock: o.clock, logger: o.logger }),
  };
}
