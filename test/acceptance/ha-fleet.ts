/**
 * A fleet of real daemons sharing one cluster backend (the test cluster in a process of its own, with a
 * data folder) and the receivers they notify: webhook (deduplicates by Idempotency-Key), PagerDuty
 * (deduplicates by dedup_key) and SMTP (does not). Daemons are started, killed, paused and resumed by
 * name; the audit reads the outbox and the execution log back from the cluster.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { createDocStore } from '../../src/cluster/docstore.ts';
import type { DocStoreClient } from '../../src/cluster/docstore-types.ts';
import { ensureIndices } from '../../src/state/cluster/setup.ts';
import { indexNames, type IndexNames } from '../../src/state/cluster/names.ts';
import { ClusterAccountStore } from '../../src/accounts/cluster-store.ts';
import { silentLogger } from '../../src/log.ts';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { AccountRegistry } from '../../src/accounts/registry.ts';
import { keyRingFromEnv } from '../../src/accounts/keysource.ts';
import { generateKey } from '../../src/accounts/keyring.ts';
import type { WatchLogRecord } from '../../src/state/records.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { startPagerdutyReceiver, type PdReceiver } from '../kit/receivers/pagerduty.ts';
import { startSmtpPeer, type SmtpPeer } from '../kit/smtp-peer.ts';
import { spawnDaemon, type Daemon } from '../kit/daemon.ts';
import { usersCommand } from '../../src/cli/users.ts';

const ROUTING_KEY = 'R0VIGILpdTestKey00000000000000ab';

export interface Fleet {
  names: IndexNames;
  hook: WebhookReceiver;
  pd: PdReceiver;
  smtp: SmtpPeer;
  daemons: Map<string, Daemon>;
  /** Every daemon process started, killed ones included, with its node name: their logs outlive a restart. */
  history: Array<{ node: string; daemon: Daemon }>;
  /** Starts (or restarts) the daemon of this name and waits until it is ready. */
  start(node: string): Promise<Daemon>;
  /**
   * Every execution-log record so far, oldest first; with `since`, those of runs started at or after it
   * (what a poll needs: the whole log, read ten times a second, loads the cluster the daemons share).
   */
  log(since?: number): Promise<WatchLogRecord[]>;
  outbox(): Promise<OutboxRow[]>;
  /** `GET /_vigil/cluster` of a running daemon. */
  cluster(node: string): Promise<{ live: string[]; nodes: Array<{ name: string; live: boolean; watches_owned: number | null }> }>;
  close(): Promise<void>;
}

export interface OutboxRow {
  key: string;
  watch_id: string;
  action_type: string;
  status: string;
  notification: unknown;
  created_at: number;
  attempts: number;
  last_error: string | null;
}

/** `watches` interval watches firing every second: webhook, PagerDuty (episodes) and e-mail in turn. */
function writeWatches(dir: string, count: number, hookUrl: string): void {
  const every = { schedule: { interval: '1s' } };
  for (let i = 0; i < count; i++) {
    const id = `w${String(i).padStart(2, '0')}`;
    const kind = i % 3;
    const action =
      kind === 0
        ? { type: 'webhook', name: 'hook', request: { url: `${hookUrl}/hook`, body: '{"at":"{{trigger.scheduled_time}}"}', headers: { 'content-type': 'application/json' } } }
        : kind === 1
          ? { type: 'pagerduty', name: 'page', account: 'pd', event: { payload: { summary: `${id} {{trigger.scheduled_time}}`, source: 'ha', severity: 'error' } } }
          : { type: 'email', name: 'mail', account: 'mail', to: 'ops@example.com', from: 'vigil@example.com', subject: `${id} {{trigger.scheduled_time}}`, text_body: 'fired' };
    // PagerDuty watches: episodes of about four seconds with a two-second gap (trigger, then resolve).
    const checks = kind === 1 ? [{ type: 'condition', name: 'window', lang: 'cel', source: 'timestamp(trigger.scheduled_time).getSeconds() % 6 < 4' }] : [];
    writeFileSync(join(dir, `${id}.json`), JSON.stringify({ trigger: every, checks, actions: [action] }));
  }
}

export async function startFleet(clusterUrl: string, watchCount: number): Promise<Fleet> {
  const root = mkdtempSync(join(tmpdir(), 'vigil-ha-'));
  const watchesDir = join(root, 'watches');
  mkdirSync(watchesDir);
  const names = indexNames(`ha-${randomBytes(4).toString('hex')}`);
  const config = join(root, 'vigil.json');
  writeFileSync(config, JSON.stringify({ clusters: { default: { urls: [clusterUrl] } }, state: { backend: 'cluster', index_prefix: names.prefix } }));
  const docs = (): DocStoreClient => createDocStore({ name: 'ha', urls: [clusterUrl] }, silentLogger());
  const hook = await startWebhookReceiver();
  const pd = await startPagerdutyReceiver([ROUTING_KEY]);
  const smtp = await startSmtpPeer();
  const masterKey = await generateKey();
  const ds = docs();
  await ensureIndices(ds, names, silentLogger());
  const accounts = await AccountRegistry.open({ store: new ClusterAccountStore({ docs: ds, index: names.accounts, clock: systemClock }), keyring: await keyRingFromEnv(masterKey), types: builtinRegistry(), logger: silentLogger(), clock: systemClock });
  await accounts.put('pagerduty', 'pd', { integration_key: ROUTING_KEY, url: pd.enqueueUrl });
  await accounts.put('email', 'mail', { host: '127.0.0.1', port: smtp.port, session_timeout: '5s' });
  writeWatches(watchesDir, watchCount, hook.url);
  // GET /_vigil/cluster needs a signed-in caller: a user and a token in the shared security store.
  const token = await issueToken(config, masterKey);
  const daemons = new Map<string, Daemon>();
  const history: Fleet['history'] = [];

  return {
    names,
    hook,
    pd,
    smtp,
    daemons,
    history,
    async start(node) {
      const d = spawnDaemon({ dataDir: join(root, `data-${node}`), watchesDir, env: { VIGIL_MASTER_KEY: masterKey, VIGIL_NODE_NAME: node }, args: ['--config', config] });
      daemons.set(node, d);
      history.push({ node, daemon: d });
      await d.ready(60_000);
      return d;
    },
    async log(since) {
      await ds.refresh(names.logPattern);
      const out: WatchLogRecord[] = [];
      const query = since === undefined ? { match_all: {} } : { range: { execution_start: { gte: new Date(since).toISOString() } } };
      for await (const d of ds.scan<{ record: WatchLogRecord }>(names.logPattern, query, [{ execution_end: 'asc' }, { id: 'asc' }])) out.push(d.source.record);
      return out;
    },
    async outbox() {
      await ds.refresh(names.outbox);
      const rows: OutboxRow[] = [];
      for await (const d of ds.scan<Omit<OutboxRow, 'notification'> & { notification: { v: unknown } }>(names.outbox, { match_all: {} }, [{ key: 'asc' }])) rows.push({ ...d.source, notification: d.source.notification.v });
      return rows;
    },
    async cluster(node) {
      const res = await fetch(`${daemons.get(node)!.url}/_vigil/cluster`, { headers: { authorization: `Bearer ${token}` } });
      return (await res.json()) as Awaited<ReturnType<Fleet['cluster']>>;
    },
    async close() {
      for (const d of daemons.values()) {
        d.kill('SIGCONT');
        d.kill('SIGKILL');
        await d.exited;
      }
      await ds.close();
      await Promise.all([hook.close(), pd.close(), smtp.close()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Receipts per stream by notification identity, against what the outbox committed. */
export interface StreamAudit {
  committed: number;
  lost: number;
  /** Receipts of an identity already received. */
  duplicates: number;
  /** Receipts the outbox never committed (must be 0). */
  phantom: number;
}

function auditStream(committed: Set<string>, receipts: string[]): StreamAudit {
  const seen = new Map<string, number>();
  for (const r of receipts) seen.set(r, (seen.get(r) ?? 0) + 1);
  let duplicates = 0;
  let phantom = 0;
  for (const [id, n] of seen) {
    duplicates += n - 1;
    if (!committed.has(id)) phantom++;
  }
  let lost = 0;
  for (const id of committed) if (!seen.has(id)) lost++;
  return { committed: committed.size, lost, duplicates, phantom };
}

/** What every receiver saw against the outbox: webhook and e-mail by idempotency key, PagerDuty by event. */
export function auditReceivers(f: Fleet, rows: OutboxRow[]): { webhook: StreamAudit; pagerduty: StreamAudit & { incidents: number; duplicateIncidents: number }; email: StreamAudit } {
  const mailId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);
  type PdEvent = { event_action: string; dedup_key: string; payload?: { summary?: string } };
  const pdId = (ev: PdEvent) => `${ev.event_action}|${ev.dedup_key}|${ev.payload?.summary ?? ''}`;
  const committed = { webhook: new Set<string>(), pagerduty: new Set<string>(), email: new Set<string>() };
  for (const r of rows) {
    if (r.action_type === 'webhook') committed.webhook.add(r.key);
    if (r.action_type === 'email') committed.email.add(mailId(r.key));
    if (r.action_type === 'pagerduty') committed.pagerduty.add(pdId((r.notification as { request: PdEvent }).request));
  }
  const incidents = f.pd.incidents();
  return {
    webhook: auditStream(committed.webhook, f.hook.requests.map((q) => q.headers['idempotency-key'] ?? '(none)')),
    pagerduty: { ...auditStream(committed.pagerduty, f.pd.requests.filter((q) => q.json).map((q) => pdId(q.json as PdEvent))), incidents: incidents.length, duplicateIncidents: incidents.length - new Set(incidents.map((i) => i.dedup_key)).size },
    email: auditStream(committed.email, f.smtp.messages.map((m) => (m.parsed.messageId ?? '').replace(/^<|@.*$/g, ''))),
  };
}

/**
 * What the daemons logged at warn level or above about one watch's deliveries, every process of the run
 * included (a failed entry's story: its retries, on which daemon, and how it ended), oldest first per process.
 */
export function deliveryWarnings(f: Fleet, watchId: string): string[] {
  const out: string[] = [];
  for (const { node, daemon } of f.history) {
    for (const r of daemon.logs()) {
      if (r.watch !== watchId || !(Number(r.level) >= 40)) continue;
      out.push(`${String(r.time).slice(11, 23)} ${node}(${daemon.pid}) ${String(r.msg)}${r.attempt ?? r.attempts ? ` attempt(s) ${r.attempt ?? r.attempts}` : ''}`);
    }
  }
  return out;
}

/** (watch, scheduled time) pairs that ran more than once (must be none). */
export function runTwice(log: WatchLogRecord[]): string[] {
  const seen = new Map<string, number>();
  for (const r of log) {
    const t = r.trigger?.scheduled_time;
    if (!t) continue;
    const k = `${r.watch_id}@${t}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/**
 * Polls (real time) until `cond` holds, up to `ms`; resolves either way (the assertions after it say
 * what did not happen). Every quarter second: the figures come from the records, not from the polls,
 * and each poll is a request the shared cluster serves beside the daemons.
 */
export async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond()) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
}

/** A user `ha` and an API token of it, through `vigil users` on the fleet's configuration. */
async function issueToken(config: string, masterKey: string): Promise<string> {
  let stdout = '';
  const io = (stdin: string) => ({
    stdin: (async function* () {
      yield stdin;
    })(),
    stdout: (t: string) => void (stdout += t),
    stderr: () => undefined,
    env: { VIGIL_MASTER_KEY: masterKey },
  });
  if ((await usersCommand(['add', 'ha', '--role', 'admin', '--password-stdin', '--config', config], io(`${randomBytes(12).toString('hex')}\n`))) !== 0) throw new Error('vigil users add failed');
  stdout = '';
  if ((await usersCommand(['token', 'ha', '--config', config], io(''))) !== 0) throw new Error('vigil users token failed');
  return stdout.trim();
}
