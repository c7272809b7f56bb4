/**
 * What the REST API uses of the daemon. The app builds the API, so the API cannot import the app: it
 * declares here, in terms of the layers below it, what it needs, and the app provides it.
 */
import type { Logger } from 'pino';
import type { AccountRegistry } from '../accounts/registry.ts';
import type { Clock } from '../clock.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { Deliverer } from '../delivery/deliverer.ts';
import type { Metrics } from '../metrics.ts';
import type { HostCheck } from '../net/host-check.ts';
import type { HttpClient } from '../net/types.ts';
import type { AwsCredentials } from '../net/aws/sigv4.ts';
import type { WatchService } from '../runtime/service.ts';
import type { Scheduler } from '../schedule/scheduler.ts';
import type { Security } from '../security/service.ts';
import type { AuthProvider } from '../security/types.ts';
import type { StateStore } from '../state/types.ts';
import type { WatchRepository } from '../watches/repository.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import type { Health } from '../health/index.ts';

/** Several daemons on one cluster backend, as `GET /_vigil/cluster` shows them. */
export interface ClusterView {
  /** This daemon's name. */
  node: string;
  lease_ms: number;
  /** The live daemons' names, as this daemon sees them now (itself only while its own lease holds). */
  live: readonly string[];
  /** Every daemon with a heartbeat document (gone ones for a while), as last read. */
  members: Array<{ node: string; instance: string; startedAt: number; heartbeatAt: number; until: number; live: boolean; stats: Record<string, unknown> }>;
}

export interface ApiContext {
  config: VigilConfig;
  logger: Logger;
  metrics: Metrics;
  /** The API waits for it to be durable before it answers a write; the execution log and the outbox are read and changed through it. */
  store: Pick<StateStore, 'durable' | 'log' | 'outbox'>;
  watches: WatchService;
  /** Several daemons (the cluster backend): the membership; null on SQLite (one daemon). */
  clusterView(): ClusterView | null;
  scheduler: Pick<Scheduler, 'stats'>;
  deliverer: Pick<Deliverer, 'pendingCount' | 'deliver' | 'retryNow' | 'cancel' | 'heldElsewhere'>;
  /** Null when no master key is configured: the account routes answer ACCOUNTS_UNAVAILABLE. */
  accounts: AccountRegistry | null;
  clock: Clock;
  /** The egress-checked HTTP client account tests send through. */
  http: HttpClient;
  /** The egress check for connections made outside `http` (SMTP and SOCKS). */
  egress: HostCheck;
  /** The daemon's own AWS credentials, for account tests of AWS accounts without keys. */
  daemonAwsCredentials?: AwsCredentials | undefined;
  /** The check and action types, and which are disabled on this node (`egress.disabled_action_types`). */
  registry: TypeRegistry;
  /** Where watch definitions are kept (GET shows a watch's source as stored). */
  watchRepository: Pick<WatchRepository, 'get'>;
  /** What the health, readiness and liveness endpoints answer. */
  health: Pick<Health, 'report' | 'readiness'>;
  /** Users, roles, tokens, the audit log: the security routes operate on it. */
  security: Security;
  /**
   * Who authenticates and authorises each request: the security service, or a stand-in where a test
   * is not about access control. Null: every protected route answers 401 (nothing is open by accident).
   */
  auth: AuthProvider | null;
}
