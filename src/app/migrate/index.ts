/**
 * `vigil migrate`: copies what one backend holds to the other. From SQLite (a data folder, the watches
 * folder, the accounts folder) to the cluster's indices, or back. Every item keeps its id (users,
 * tokens, outbox keys, log ids, watch refs, account ids) and is copied only when the target lacks it,
 * so running it again copies nothing twice and an interrupted run is finished by running it again.
 * The data folder is locked while it runs: a daemon holding it makes the migration refuse to start.
 */
import type { Logger } from 'pino';
import { systemClock } from '../../clock.ts';
import type { VigilConfig } from '../../config/schema.ts';
import { VigilError } from '../../errors.ts';
import { copyDefinitions, copyAccounts } from './copy-definitions.ts';
import { copySecurity } from './copy-security.ts';
import { copyState } from './copy-state.ts';
import { emptyCounts, type Counts } from './counts.ts';
import { clusterSide, sqliteSide, type Side } from './sides.ts';

export type { Counts, Kind, KindCount } from './counts.ts';
export { KINDS } from './counts.ts';

export interface MigrateOptions {
  config: VigilConfig;
  to: 'cluster' | 'sqlite';
  dryRun: boolean;
  /** Copy the execution log too (it may be large; the state does not need it). */
  includeLog: boolean;
  logger: Logger;
  /** The name written as the author of what is stored in the cluster. */
  node: string;
}

export interface MigrateResult {
  from: string;
  to: string;
  dryRun: boolean;
  counts: Counts;
}

export async function runMigration(o: MigrateOptions): Promise<MigrateResult> {
  const { config } = o;
  if (!Object.hasOwn(config.clusters, config.state.cluster)) {
    throw new VigilError('CONFIG_INVALID', `the cluster [${config.state.cluster}] (state.cluster) is not configured; set VIGIL_CLUSTER_URL or a clusters section`, {
      'state.cluster': [{ error: 'not a configured cluster', value: config.state.cluster }],
    });
  }
  const clusterConfig: VigilConfig = { ...config, state: { ...config.state, backend: 'cluster' } };
  // The SQLite side first: its lock is what refuses a data folder a running daemon holds.
  const sqlite = sqliteSide(config);
  let cluster: Side;
  try {
    cluster = await clusterSide(clusterConfig, { logger: o.logger, node: o.node });
  } catch (e) {
    await sqlite.close();
    throw e;
  }
  const [src, dst] = o.to === 'cluster' ? [sqlite, cluster] : [cluster, sqlite];
  const counts = emptyCounts();
  try {
    await copySecurity(src.store.security, dst.store.security, counts, o.dryRun, systemClock.now());
    await copyAccounts(src.accounts, dst.accounts, counts, o.dryRun, o.logger);
    const { found, unreadable } = await src.definitions();
    counts.watches.skipped += unreadable;
    await copyDefinitions(found, dst, counts, o.dryRun, o.logger);
    await copyState(src, dst, found.map((d) => d.ref), counts, { dryRun: o.dryRun, includeLog: o.includeLog });
    await dst.store.durable();
  } finally {
    await Promise.allSettled([src.close(), dst.close()]);
  }
  return { from: src.where, to: dst.where, dryRun: o.dryRun, counts };
}
