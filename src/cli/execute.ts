import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename } from 'node:path';
import { loadConfig } from '../config/load.ts';
import type { VigilConfig } from '../config/schema.ts';
import { buildRuntime, type Runtime } from '../app/runtime.ts';
import { createLogger } from '../log.ts';
import { MASTER_KEY_ENV } from '../accounts/keysource.ts';
import { jsonSyntaxProblem } from '../json-syntax.ts';
import { parseDuration } from '../schedule/duration.ts';
import { compileWatch, type CompiledWatch } from '../watches/compile.ts';
import { errorSummary, describeErrors } from '../watches/loader.ts';
import { storedRefProblems } from '../watches/node-check.ts';
import { refForFile } from '../watches/file-names.ts';
import type { WatchLogRecord } from '../state/records.ts';
import type { RunAsResolver } from '../watches/run-as.ts';
import { parseCommand, processIo, usageError, type CliIo } from './args.ts';
import { cliCompileEnv } from './validate.ts';
import { EXECUTE } from './specs.ts';
import { openToolAccounts } from './backend.ts';

/**
 * `vigil execute` runs a file by hand for the operator who starts it, with the clusters and credentials
 * they give it and no daemon's security configuration: its index access is theirs, unrestricted.
 */
const OPERATOR: RunAsResolver = { forWatch: () => ({ user: null, denied: () => null }) };

/**
 * `vigil execute FILE`: runs one watch once and prints the watch-log record. Asks for the master key only
 * when the watch refers to an account, and bounds the whole run (deliveries retry until their own
 * deadline, minutes away, which a person at a terminal should not wait for).
 */
export async function executeCommand(args: string[], io: CliIo = processIo, processEnv: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCommand(EXECUTE, args, io);
  if (!parsed.ok) return parsed.code;
  const { values } = parsed;
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(values.timeout!);
  } catch (e) {
    return usageError('execute', `--timeout: ${(e as Error).message}`, io);
  }
  if (timeoutMs < 1000) return usageError('execute', '--timeout must be at least 1s', io);

  const file = resolve(parsed.positionals[0]!);
  const watch = await loadWatch(file, io);
  if (!watch) return 1;

  const env: NodeJS.ProcessEnv = { ...processEnv, ...(values.cluster ? { VIGIL_CLUSTER_URL: values.cluster } : {}) };
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-execute-'));
  try {
    const loaded = loadConfig({
      file: values.config,
      env,
      overrides: { data_dir: dataDir, accounts_dir: values.accounts, key_file: values['key-file'], log: { level: 'warn', retention: 10 } },
    });
    const keyAvailable = Boolean(loaded.key_file || env[MASTER_KEY_ENV]);
    const refs = [
      ...watch.accountRefs.map((r) => `${r.path}: ${r.type} account '${r.id}'`),
      ...watch.channelRefs.map((r) => `${r.path}: channel '${r.id}'`),
      // Stored proxies and trust stores are kept in the accounts store, under the same key.
      ...watch.storedRefs.map((r) => `${r.path}: stored ${r.kind === 'proxy' ? 'proxy' : 'trust store'} '${r.id}'`),
    ];
    if (refs.length > 0 && !keyAvailable) {
      if (!values.simulate) {
        io.stderr(`vigil execute: the watch uses accounts, which need the master key (set ${MASTER_KEY_ENV} or pass --key-file):\n  ${refs.join('\n  ')}\n`);
        return 1;
      }
      io.stderr(`vigil execute: accounts not checked (no master key; nothing is sent under --simulate):\n  ${refs.join('\n  ')}\n`);
    }
    // Without accounts in play nothing may touch the key or the accounts folder: a watch that needs
    // neither runs where a key is missing, wrong or unreadable.
    const useAccounts = refs.length > 0 && keyAvailable;
    const { key_file: _keyFile, ...withoutKey } = loaded;
    // The run's state is thrown away whatever the backend (a daemon must never resume this run's
    // deliveries); the accounts are where the backend keeps them.
    const throwAway = { ...loaded.state, backend: 'sqlite' as const };
    const config: VigilConfig = useAccounts ? { ...loaded, state: throwAway } : { ...withoutKey, state: throwAway, accounts_dir: join(dataDir, 'no-accounts') };
    if (!useAccounts) delete env[MASTER_KEY_ENV];
    const clusterAccounts = useAccounts && loaded.state.backend === 'cluster' ? await openToolAccounts(loaded, 'execute') : null;
    // Logs go to stderr: stdout carries the record only.
    const app = await buildRuntime(config, {
      logger: createLogger({ level: 'warn', destination: { write: (line: string) => io.stderr(line) } }),
      env,
      runAs: OPERATOR,
      ...(clusterAccounts ? { accountStore: clusterAccounts.store } : {}),
    }).catch(async (e: unknown) => {
      await clusterAccounts?.close();
      throw e;
    });
    try {
      if (useAccounts && !(await accountsExist(app, watch, io))) return 1;
      const record = await runWithin(app, watch, { simulate: values.simulate!, timeoutMs, timeoutText: values.timeout!, io });
      io.stdout(`${JSON.stringify(record, null, 2)}\n`);
      return record.status.code === 'EXECUTION_FAILED' || record.status.code === 'ACTION_FAILED' ? 1 : 0;
    } finally {
      await app.stop();
      await clusterAccounts?.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Reads and compiles the watch; prints what is wrong and returns null when it cannot run. */
async function loadWatch(file: string, io: CliIo): Promise<CompiledWatch | null> {
  let raw: unknown;
  let text = '';
  try {
    text = await readFile(file, 'utf8');
    raw = JSON.parse(text);
  } catch (e) {
    const why = e instanceof SyntaxError ? jsonSyntaxProblem(text, e) : `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    io.stderr(`${file}: _: ${why}\n`);
    return null;
  }
  const ref = refForFile(dirname(file), file);
  const where = ref && 'id' in ref ? ref : { tenant: '_main', id: basename(file, '.json') };
  const res = compileWatch(raw, where, cliCompileEnv());
  if (!res.ok) {
    io.stderr(`${errorSummary(res.detail)}\n${describeErrors(file, res.detail).join('\n')}\n`);
    return null;
  }
  return res.watch;
}

/** Whether the accounts, stored proxies and trust stores the watch names are there (printing those that are not). */
async function accountsExist(app: Runtime, watch: CompiledWatch, io: CliIo): Promise<boolean> {
  const missing: string[] = [];
  for (const r of watch.accountRefs) if (!(await app.accounts!.exists(r.type, r.id))) missing.push(`${r.path}: no ${r.type} account '${r.id}'`);
  const channelTypes = app.registry.channelTypes;
  for (const r of watch.channelRefs) if ((await app.accounts!.holders(r.id, channelTypes)).length === 0) missing.push(`${r.path}: no channel '${r.id}'`);
  const stored = await storedRefProblems(watch, app.storedRefs);
  for (const [path, list] of Object.entries(stored ?? {})) for (const p of list) missing.push(`${path}: ${p.error}`);
  if (missing.length > 0) io.stderr(`vigil execute: ${missing.join('\n  ')}\n`);
  return missing.length === 0;
}

/**
 * Runs the watch; when `timeoutMs` passes first, cancels its requests and deliveries (the runner then
 * finishes at once, recording them as failed) and says so in the record.
 */
async function runWithin(
  app: Runtime,
  watch: CompiledWatch,
  { simulate, timeoutMs, timeoutText, io }: { simulate: boolean; timeoutMs: number; timeoutText: string; io: CliIo },
): Promise<WatchLogRecord> {
  const abort = new AbortController();
  const timer = setTimeout(() => {
    abort.abort();
    void app.deliverer.stop(0);
  }, timeoutMs);
  let record: WatchLogRecord;
  try {
    record = await app.runner.run(watch, { fire: null, simulate, signal: abort.signal });
  } finally {
    clearTimeout(timer);
  }
  if (!abort.signal.aborted) {
    await app.deliverer.stop(app.config.delivery.shutdown_grace_ms);
    return record;
  }
  const cut = `stopped at --timeout ${timeoutText}`;
  // A send cut short stays pending in a daemon's outbox; this command has no later start to resume it, so
  // for it the send failed.
  let cutShort = false;
  for (const a of [...record.actions, ...record.resolve_actions]) {
    if (a.status.code !== 'DELIVERY_PENDING' && a.error?.detail !== 'ABORTED') continue;
    cutShort = true;
    const last = a.delivery ? (await app.store.outbox.get(a.delivery.key))?.lastError : null;
    const attempts = a.delivery?.attempts ?? 0;
    a.status = { code: 'ACTION_FAILED' };
    a.error = { message: `not delivered: ${cut} after ${attempts} attempt${attempts === 1 ? '' : 's'}${last ? `; last error ${last}` : ''}`, detail: 'TIMEOUT' };
  }
  if (cutShort && record.status.code !== 'EXECUTION_FAILED') record.status = { ...record.status, code: 'ACTION_FAILED' };
  if (record.status.code === 'EXECUTION_FAILED' && record.error) record.error.message = `${record.error.message} (${cut})`;
  io.stderr(`vigil execute: ${cut}\n`);
  return record;
}
