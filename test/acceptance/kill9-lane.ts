/**
 * One lane of the kill -9 acceptance test: its own data directory, watches, accounts and receivers
 * (webhook deduplicating by Idempotency-Key, PagerDuty-shaped, SMTP), a daemon killed with SIGKILL at
 * seeded random moments and restarted, then a clean final run and an audit of the outbox against what
 * the receivers saw. Lanes share nothing, so several run side by side. On the cluster backend a lane
 * keeps its state, accounts and watches under an index prefix of its own, in a test cluster that runs
 * in a process of its own (the daemon's SIGKILL never touches it).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/clock.ts';
import { createDocStore } from '../../src/cluster/docstore.ts';
import { ensureIndices } from '../../src/state/cluster/setup.ts';
import { indexNames } from '../../src/state/cluster/names.ts';
import { ClusterAccountStore } from '../../src/accounts/cluster-store.ts';
import { silentLogger } from '../../src/log.ts';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { AccountRegistry } from '../../src/accounts/registry.ts';
import { keyRingFromEnv } from '../../src/accounts/keysource.ts';
import { generateKey } from '../../src/accounts/keyring.ts';
import { startWebhookReceiver } from '../kit/receivers/webhook.ts';
import { startPagerdutyReceiver } from '../kit/receivers/pagerduty.ts';
import { startSmtpPeer } from '../kit/smtp-peer.ts';
import { spawnDaemon, type Daemon } from '../kit/daemon.ts';
import { seeded } from '../kit/seeded.ts';

const ROUTING_KEY = 'R0VIGILpdTestKey00000000000000ab';


interface OutboxRow {
  key: string;
  watch_id: string;
  action_type: string;
  status: string;
  notification: string;
  created_at: number;
  attempts: number;
}

/** Per receiver stream: what was committed, what arrived, what was lost or repeated. */
export interface StreamFigures {
  notifications: number;
  lost: number;
  /** Receipts of an identity already received. */
  duplicates: number;
  /** Duplicates with no kill between the two receipts (must be 0). */
  unexplained: number;
  /** Receipts the outbox never committed (a send before commit; must be 0). */
  phantom: number;
}

export interface LaneFigures {
  backend: LaneBackend['kind'];
  seed: number;
  kills: number;
  webhook: StreamFigures;
  pagerduty: StreamFigures & { incidents: number; duplicateIncidents: number; episodes: number };
  email: StreamFigures;
  pendingAfterCleanStop: number;
  failed: number;
  /** Longest time from a restart (ready) to the first receipt of a notification committed before the kill. */
  maxResumeDelayMs: number;
  resumed: number;
  cleanExitCode: number | null;
  elapsedMs: number;
}

function watches(dir: string, hookUrl: string): void {
  const every = { schedule: { interval: '1s' } };
  const write = (id: string, w: unknown) => writeFileSync(join(dir, `${id}.json`), JSON.stringify(w));
  write('hook', {
    trigger: every,
    checks: [],
    actions: [{ type: 'webhook', name: 'hook', request: { url: `${hookUrl}/hook`, body: '{"at":"{{trigger.scheduled_time}}"}', headers: { 'content-type': 'application/json' } } }],
  });
  // Episodes of about four seconds with a two-second gap: triggers, then a resolve, then a new dedup_key.
  write('page', {
    trigger: every,
    checks: [{ type: 'condition', name: 'window', lang: 'cel', source: 'timestamp(trigger.scheduled_time).getSeconds() % 6 < 4' }],
    actions: [{ type: 'pagerduty', name: 'page', account: 'pd', event: { payload: { summary: 'fired {{trigger.scheduled_time}}', source: 'kill9', severity: 'error' } } }],
  });
  write('mail', {
    trigger: every,
    checks: [],
    actions: [{ type: 'email', name: 'mail', account: 'mail', to: 'ops@example.com', from: 'vigil@example.com', subject: 'at {{trigger.scheduled_time}}', text_body: 'fired' }],
  });
}

/** Polls a condition (a receiver's record) every 10 ms, up to `timeoutMs`; resolves either way. */
async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

function readOutbox(dataDir: string): OutboxRow[] {
  const db = new DatabaseSync(join(dataDir, 'vigil.db'), { readOnly: true });
  try {
    return db.prepare('SELECT key, watch_id, action_type, status, notification, created_at, attempts FROM outbox').all() as unknown as OutboxRow[];
  } finally {
    db.close();
  }
}

/** Which backend a lane's daemon keeps its state in: SQLite in its data folder, or a cluster (by URL). */
export type LaneBackend = { kind: 'sqlite' } | { kind: 'cluster'; url: string };

interface LaneStore {
  /** Flags for `vigil run`. */
  args: string[];
  /** Puts the lane's accounts where its daemon keeps them. */
  putAccounts(keyring: Awaited<ReturnType<typeof keyRingFromEnv>>, put: (r: AccountRegistry) => Promise<void>): Promise<void>;
  readOutbox(): Promise<OutboxRow[]>;
}

async function laneStore(backend: LaneBackend, root: string, dirs: { data: string; accounts: string }): Promise<LaneStore> {
  const open = (keyring: Awaited<ReturnType<typeof keyRingFromEnv>>, where: { dir: string } | { store: ClusterAccountStore }) =>
    AccountRegistry.open({ ...where, keyring, types: builtinRegistry(), logger: silentLogger(), clock: systemClock });
  if (backend.kind === 'sqlite') return { args: [], putAccounts: async (k, put) => put(await open(k, { dir: dirs.accounts })), readOutbox: async () => readOutbox(dirs.data) };
  const names = indexNames(`k9-${randomBytes(4).toString('hex')}`);
  const config = join(root, 'vigil.json');
  writeFileSync(config, JSON.stringify({ clusters: { default: { urls: [backend.url] } }, state: { backend: 'cluster', index_prefix: names.prefix } }));
  const docs = () => createDocStore({ name: 'k9', urls: [backend.url] }, silentLogger());
  return {
    args: ['--config', config],
    async putAccounts(keyring, put) {
      const ds = docs();
      try {
        await ensureIndices(ds, names, silentLogger());
        await put(await open(keyring, { store: new ClusterAccountStore({ docs: ds, index: names.accounts, clock: systemClock }) }));
      } finally {
        await ds.close();
      }
    },
    async readOutbox() {
      const ds = docs();
      try {
        await ds.refresh(names.outbox);
        const rows: OutboxRow[] = [];
        // The cluster keeps a notification wrapped (`{v: …}`): any JSON value, left unparsed by the mapping.
        const scan = ds.scan<Omit<OutboxRow, 'notification'> & { notification: { v: unknown } }>(names.outbox, { match_all: {} }, [{ key: 'asc' }]);
        for await (const d of scan) rows.push({ ...d.source, notification: JSON.stringify(d.source.notification.v) });
        return rows;
      } finally {
        await ds.close();
      }
    },
  };
}

/** Receipts of one stream, keyed by notification identity, with arrival times. */
function audit(committed: Map<string, number>, receipts: Array<{ id: string; at: number }>, killTimes: number[]): StreamFigures & { first: Map<string, number> } {
  const byId = new Map<string, number[]>();
  for (const r of receipts) (byId.get(r.id) ?? byId.set(r.id, []).get(r.id)!).push(r.at);
  let duplicates = 0;
  let unexplained = 0;
  let phantom = 0;
  const first = new Map<string, number>();
  for (const [id, times] of byId) {
    if (!committed.has(id)) phantom++;
    times.sort((a, b) => a - b);
    first.set(id, times[0]!);
    for (let i = 1; i < times.length; i++) {
      duplicates++;
      // A repeat is explained by a kill between the two receipts. 500 ms of slack: a receipt is stamped
      // when the test process reads it, which can trail the kill of the process that sent it.
      if (!killTimes.some((k) => k >= times[i - 1]! - 500 && k <= times[i]!)) unexplained++;
    }
  }
  let lost = 0;
  for (const id of committed.keys()) if (!byId.has(id)) lost++;
  return { notifications: committed.size, lost, duplicates, unexplained, phantom, first };
}

export async function runLane(seed: number, kills: number, backend: LaneBackend = { kind: 'sqlite' }, log: (s: string) => void = () => undefined): Promise<LaneFigures> {
  const started = Date.now();
  const rng = seeded(seed);
  const root = mkdtempSync(join(tmpdir(), `vigil-kill9-${seed}-`));
  const dirs = { data: join(root, 'data'), watches: join(root, 'watches'), accounts: join(root, 'accounts') };
  mkdirSync(dirs.watches);
  const hook = await startWebhookReceiver();
  const pd = await startPagerdutyReceiver([ROUTING_KEY]);
  const smtp = await startSmtpPeer();
  const masterKey = await generateKey();
  // One name for every restart, as an operator would run it: a restarted daemon is the same node and takes
  // its predecessor's delivery claims back at once (under a new name they would wait for their lease).
  const env = { VIGIL_MASTER_KEY: masterKey, VIGIL_EGRESS_ALLOW: '127.0.0.1', VIGIL_LOG_LEVEL: 'info', VIGIL_NODE_NAME: `kill9-lane-${seed}` };
  let daemon: Daemon | undefined;
  try {
    const store = await laneStore(backend, root, dirs);
    await store.putAccounts(await keyRingFromEnv(masterKey), async (registry) => {
      await registry.put('pagerduty', 'pd', { integration_key: ROUTING_KEY, url: pd.enqueueUrl });
      await registry.put('email', 'mail', { host: '127.0.0.1', port: smtp.port, session_timeout: '5s' });
    });
    watches(dirs.watches, hook.url);

    const start = () => spawnDaemon({ dataDir: dirs.data, watchesDir: dirs.watches, accountsDir: dirs.accounts, env, args: store.args });
    const killTimes: number[] = [];
    const readyTimes: number[] = [];
    for (let k = 0; k < kills; k++) {
      daemon = start();
      await daemon.waitForLog((r) => r.msg === 'vigil is running' || r.level >= 50, 60_000).then((r) => {
        if (r.msg !== 'vigil is running') throw new Error(`daemon failed to start: ${r.msg}`);
      });
      readyTimes.push(Date.now());
      // The first interval fire comes about a second after the start; a kill before it would only ever hit
      // an idle daemon (or the resume of the previous backlog). So: wait for this daemon's first webhook
      // receipt, then a random 0–1.5 s, which lands anywhere in the next fires' commit → send → mark.
      await until(() => hook.requests.some((q) => q.at >= readyTimes.at(-1)!), 10_000);
      await new Promise((r) => setTimeout(r, Math.floor(rng() * 1500)));
      killTimes.push(Date.now());
      daemon.kill('SIGKILL');
      const exit = await daemon.exited;
      if (exit.signal !== 'SIGKILL') throw new Error(`daemon exited on its own before the kill: ${JSON.stringify(exit)} ${daemon.stderr.join('\n')}`);
    }

    // Clean run: ready, a couple of seconds of normal firing, SIGTERM (drain), until nothing is pending.
    let cleanExitCode: number | null = null;
    let pending = -1;
    for (let round = 0; round < 3 && pending !== 0; round++) {
      daemon = start();
      await daemon.ready(60_000);
      readyTimes.push(Date.now());
      await new Promise((r) => setTimeout(r, 2000));
      const stopping = daemon;
      cleanExitCode = (await stopping.stop()).code;
      // A clean stop that fails says why in the test's output (the daemon's last error lines).
      if (cleanExitCode !== 0) console.log(`KILL9-CLEAN-STOP ${JSON.stringify({ seed, code: cleanExitCode, stderr: stopping.stderr.slice(-15), errors: stopping.logs().filter((r) => r.level >= 50).slice(-10) })}`);
      pending = (await store.readOutbox()).filter((r) => r.status === 'pending').length;
    }
    daemon = undefined;
    const rows = await store.readOutbox();

    // Identities per stream: webhook and email by idempotency key, PagerDuty by (action, dedup_key, summary).
    const mailId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);
    const pdId = (ev: { event_action: string; dedup_key: string; payload?: { summary?: string } }) => `${ev.event_action}|${ev.dedup_key}|${ev.payload?.summary ?? ''}`;
    const committed = { webhook: new Map<string, number>(), pagerduty: new Map<string, number>(), email: new Map<string, number>() };
    const episodes = new Set<string>();
    for (const r of rows) {
      if (r.action_type === 'webhook') committed.webhook.set(r.key, r.created_at);
      if (r.action_type === 'email') committed.email.set(mailId(r.key), r.created_at);
      if (r.action_type === 'pagerduty') {
        const ev = (JSON.parse(r.notification) as { request: Parameters<typeof pdId>[0] }).request;
        committed.pagerduty.set(pdId(ev), r.created_at);
        episodes.add(ev.dedup_key);
      }
    }
    const webhook = audit(committed.webhook, hook.requests.map((q) => ({ id: q.headers['idempotency-key'] ?? '(none)', at: q.at })), killTimes);
    const pdReceipts = pd.requests.filter((q) => q.json).map((q) => ({ id: pdId(q.json as Parameters<typeof pdId>[0]), at: q.at }));
    const pagerduty = audit(committed.pagerduty, pdReceipts, killTimes);
    const email = audit(committed.email, smtp.messages.map((m) => ({ id: (m.parsed.messageId ?? '').replace(/^<|@.*$/g, ''), at: m.at })), killTimes);
    const incidents = pd.incidents();
    const incidentKeys = new Set(incidents.map((i) => i.dedup_key));

    // Resume delay: a notification committed before a kill and first received after it was resumed by a
    // later daemon; measure from that daemon's readiness.
    let maxResumeDelayMs = 0;
    let resumed = 0;
    for (const [s, createdOf] of [[webhook, committed.webhook], [pagerduty, committed.pagerduty], [email, committed.email]] as const) {
      for (const [id, at] of s.first) {
        const created = createdOf.get(id);
        if (created === undefined) continue;
        const killBetween = killTimes.some((k) => k > created && k < at);
        if (!killBetween) continue;
        resumed++;
        const ready = Math.max(...readyTimes.filter((t) => t <= at));
        maxResumeDelayMs = Math.max(maxResumeDelayMs, at - ready);
      }
    }
    const strip = <T extends { first: unknown }>({ first: _f, ...rest }: T) => rest;
    const figures: LaneFigures = {
      backend: backend.kind,
      seed,
      kills: killTimes.length,
      webhook: strip(webhook),
      pagerduty: { ...strip(pagerduty), incidents: incidents.length, duplicateIncidents: incidents.length - incidentKeys.size, episodes: episodes.size },
      email: strip(email),
      pendingAfterCleanStop: rows.filter((r) => r.status === 'pending').length,
      failed: rows.filter((r) => r.status === 'failed').length,
      maxResumeDelayMs,
      resumed,
      cleanExitCode,
      elapsedMs: Date.now() - started,
    };
    log(JSON.stringify(figures));
    return figures;
  } finally {
    if (daemon) {
      daemon.kill('SIGKILL');
      await daemon.exited;
    }
    await Promise.all([hook.close(), pd.close(), smtp.close()]);
    rmSync(root, { recursive: true, force: true });
  }
}
