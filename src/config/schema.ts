import { z } from 'zod';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

const clusterSchema = z
  .object({
    urls: z.array(z.string().url()).min(1),
    auth: z
      .union([
        z.object({ username: z.string(), password: z.string() }).strict(),
        z.object({ api_key: z.string() }).strict(),
      ])
      .optional(),
    tls: z.object({ ca_file: z.string().optional(), verify: z.boolean().default(true) }).strict().optional(),
    distribution: z.enum(['elasticsearch', 'opensearch']).optional(),
    request_timeout_ms: z.number().int().positive().optional(),
    max_response_bytes: z.number().int().positive().optional(),
    /**
     * Searches and writes of a watch saved through the API carry the saver's name as the user to run as
     * (Elasticsearch `es-security-runas-user`, OpenSearch `opendistro_security_impersonate_as`), so that
     * the cluster applies that user's own privileges, document- and field-level security included. The
     * configured cluster user must be allowed to impersonate. Default false.
     */
    impersonate: z.boolean().default(false),
  })
  .strict();

/** Range names the proxy-address matcher (fastify's `trustProxy`) understands besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address (`10.0.0.5`, `::1`) or a CIDR (`10.0.0.0/8`, `fd00::/8`), or one of the range names. */
export function isProxyEntry(v: string): boolean {
  if (PROXY_RANGE_NAMES.includes(v)) return true;
  const [addr, prefix, ...rest] = v.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** One failure window (OpenSearch's `allowed_tries`, `time_window_seconds`, `block_expiry_seconds`). */
const failureWindow = (tries: number) =>
  z
    .object({
      allowed_tries: z.number().int().min(1).default(tries),
      time_window_ms: z.number().int().min(1).default(60_000),
      block_ms: z.number().int().min(1).default(60_000),
    })
    .strict()
    .prefault({});

/**
 * Daemon settings (a JSON file, then environment variables, then CLI flags), validated strictly and
 * frozen after load. Every default is here, once: an omitted section is parsed as `{}` (`prefault`),
 * so its fields' own defaults fill it.
 */
export const configSchema = z
  .object({
    data_dir: z.string().default('./data'),
    watches_dir: z.string().default('./watches'),
    accounts_dir: z.string().default('./accounts'),
    /** HOST:PORT of the REST API. */
    listen: z.string().regex(/^[^:]+:\d+$|^\[[^\]]+\]:\d+$/, 'expected HOST:PORT').default('127.0.0.1:9600'),
    /** Base URL users reach the API at, for ack links in notifications. */
    public_url: z.string().url().optional(),
    /**
     * This daemon's name: in its heartbeat, the watch state it writes and its log records. Unique among
     * the daemons sharing a cluster backend (the default, host and pid, is).
     */
    node_name: z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'letters, digits and . _ : @ -, at most 128').default(`${hostname()}-${process.pid}`),
    clusters: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), clusterSchema).default({}),
    scheduler: z
      .object({
        concurrency: z.number().int().min(1).max(1024).default(32),
        queue_limit: z.number().int().min(1).default(10_000),
        misfire_threshold_ms: z.number().int().min(0).default(10_000),
        spread_intervals: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    delivery: z
      .object({
        per_destination_concurrency: z.number().int().min(1).default(16),
        queue_limit: z.number().int().min(1).default(10_000),
        shutdown_grace_ms: z.number().int().min(0).default(10_000),
      })
      .strict()
      .prefault({}),
    egress: z
      .object({
        allow: z.array(z.string()).default([]),
        disabled_action_types: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        /** `json` (pino's lines), `pretty` (human-readable, level names), `ecs` (Elastic Common Schema, for shipping into Elasticsearch). */
        format: z.enum(['json', 'pretty', 'ecs']).default('json'),
        /** Execution-log records kept in the state store. */
        retention: z.number().int().min(1).default(100_000),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        tls: z.object({ cert_file: z.string(), key_file: z.string() }).strict().optional(),
        body_limit: z.number().int().positive().default(1_048_576),
        /**
         * Proxies whose `X-Forwarded-For` is believed (addresses or CIDRs). Empty: the client address is
         * the peer of the connection, whatever the headers say.
         */
        trust_proxy: z.array(z.string().refine(isProxyEntry, 'expected an IP address, a CIDR such as 10.0.0.0/8, or loopback, linklocal, uniquelocal')).default([]),
        /** Login limits: per user and client address, per client address, and password hashes in flight. */
        auth_failures: z
          .object({
            /** Wrong passwords per (user, client address). */
            user_address: failureWindow(5),
            /** Wrong passwords per client address, any user. */
            address: failureWindow(20),
            /** Failed requests of any kind per client address. */
            address_requests: failureWindow(100),
            max_tracked_clients: z.number().int().min(100).default(100_000),
            max_concurrent_hashes_per_user: z.number().int().min(1).default(2),
            max_concurrent_hashes_per_address: z.number().int().min(1).default(4),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Path of the master key file (else VIGIL_MASTER_KEY). */
    key_file: z.string().optional(),
    security: z
      .object({
        /**
         * The role a watch runs as when nobody saved it through the API and its tenant names no
         * `run_as_role` (the built-in `_main` tenant included). The built-in `vigil_files` searches and
         * writes every index of every cluster, as watches did before tenants could be isolated; `null`
         * gives such watches no cluster access (strict isolation).
         */
        default_run_as_role: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/, 'a role name').nullable().default('vigil_files'),
      })
      .strict()
      .prefault({}),
    /** What `/_vigil/health` counts as degraded, and how often it checks what it cannot see happen. */
    health: z
      .object({
        /** Configured clusters, the state store and the outbox are checked in the background this often. */
        probe_interval_ms: z.number().int().min(1000).default(15_000),
        /** A cluster that does not answer its root endpoint within this is unreachable. */
        probe_timeout_ms: z.number().int().min(100).default(5_000),
        /** A watch whose last N scheduled runs failed (a check or a delivery) makes the node yellow. */
        failing_runs: z.number().int().min(1).default(3),
        /** A notification pending in the outbox longer than this makes the node yellow. */
        outbox_max_age_ms: z.number().int().min(1000).default(600_000),
        /** A delivery that failed within this, and was not followed by a success of the same action, makes the node yellow. */
        delivery_failure_window_ms: z.number().int().min(1000).default(900_000),
      })
      .strict()
      .prefault({}),
    /**
     * The dead-man switch: a heartbeat to a receiver outside that alerts when it stops (a
     * healthchecks-style ping URL, or PagerDuty events a heartbeat rule expects), so that a dead Vigil is
     * noticed. Off unless configured.
     */
    deadman: z
      .object({
        /** Pinged every interval (through the egress policy). */
        url: z.url({ protocol: /^https?$/ }).optional(),
        method: z.enum(['GET', 'POST']).default('POST'),
        /** A PagerDuty account (`accounts/pagerduty/<id>.json`): a `trigger` event with a stable `dedup_key` every interval. */
        pagerduty: z.object({ account: z.string().min(1), dedup_key: z.string().min(1).max(255).optional() }).strict().optional(),
        interval_ms: z.number().int().min(1000).default(60_000),
        timeout_ms: z.number().int().min(100).default(10_000),
      })
      .strict()
      .refine((d) => (d.url === undefined) !== (d.pagerduty === undefined), { message: 'set exactly one of url or pagerduty' })
      .optional(),
    /**
     * Where the state, the watches and the accounts are kept: the embedded SQLite store of `data_dir`
     * with the watches and accounts folders, or indices of a configured cluster (`<index_prefix>-*`).
     */
    state: z
      .object({
        backend: z.enum(['sqlite', 'cluster']).default('sqlite'),
        /** The configured cluster (`clusters.<name>`) that holds the state with the cluster backend. */
        cluster: z.string().default('default'),
        /** Names of the cluster backend's indices start with it (checked when they are opened). */
        index_prefix: z.string().default('vigil'),
        /**
         * Writes the cluster backend holds in memory while the cluster does not acknowledge them; past it
         * no run starts until the cluster takes writes again.
         */
        queue_limit: z.number().int().min(1).default(10_000),
      })
      .strict()
      .prefault({}),
    /**
     * Several daemons on one cluster backend (docs/operations.md, "Running several daemons"): a daemon
     * whose heartbeat is older than `lease_ms` is gone, its watches and pending deliveries move to the
     * others. Ignored with the SQLite backend (one daemon per data folder).
     */
    cluster_mode: z
      .object({
        lease_ms: z.number().int().min(1000).max(600_000).default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    // With the cluster backend the state lives in a cluster the configuration must name.
    if (c.state.backend === 'cluster' && !Object.hasOwn(c.clusters, c.state.cluster)) {
      const known = Object.keys(c.clusters);
      ctx.addIssue({
        code: 'custom',
        path: ['state', 'cluster'],
        message: `the cluster backend needs the cluster [${c.state.cluster}] in clusters (${known.length ? `configured: ${known.join(', ')}` : 'none is configured; set VIGIL_CLUSTER_URL or a clusters section'})`,
      });
    }
  });

export type VigilConfig = z.output<typeof configSchema>;
export type VigilConfigInput = z.input<typeof configSchema>;
