import { stat } from 'node:fs/promises';
import { resolve, dirname, basename } from 'node:path';
import { addDetail } from '../error-detail.ts';
import type { ErrorDetail } from '../errors.ts';
import { createScriptCompiler } from '../script/index.ts';
import { createTemplateEngine } from '../templates/engine.ts';
import type { CompiledWatch, WatchCompileEnv } from '../watches/compile.ts';
import { builtinRegistry } from '../registry/builtin.ts';
import { describeErrors, loadWatchFile, type ExtraCheck } from '../watches/loader.ts';
import { listWatchFiles, refForFile } from '../watches/file-names.ts';
import { loadConfig } from '../config/load.ts';
import type { AccountDocStore } from '../accounts/doc-store.ts';
import { AccountFileError, AccountFileStore } from '../accounts/store.ts';
import { parseCommand, usageError } from './args.ts';
import { openToolAccounts } from './backend.ts';
import { VALIDATE } from './specs.ts';

/** Every built-in type, none disabled: these commands judge a watch file, not a node's configuration. */
export function cliCompileEnv(): WatchCompileEnv {
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  return { script: scripts, template: (s, m, f) => templates.compile(s, m, f), registry: builtinRegistry() };
}

/**
 * Each account a watch uses (and each channel a notification action names: an account of a channel
 * type with that id) must exist, usable, in `store`. Sealed content is not opened, so no key is needed;
 * whether an account's fields suit the action is for the daemon, which can read them.
 */
export function accountsExist(store: AccountDocStore, channelTypes: readonly string[]): ExtraCheck {
  const where = store.where;
  // Whether a document is there; an unusable one is reported as such rather than as missing.
  const exists = async (type: string, id: string): Promise<true | false | string> => {
    try {
      return (await store.read(type, id)) !== undefined;
    } catch (e) {
      if (e instanceof AccountFileError) return `${type} account '${id}' in ${where} is unusable: its ${store.unit} ${e.reason}`;
      throw e;
    }
  };
  return async (w: CompiledWatch) => {
    const detail: ErrorDetail = {};
    for (const ref of w.accountRefs) {
      const found = await exists(ref.type, ref.id);
      if (found === true) continue;
      const name = ref.implicit ? `'default' (the account an action without "account" uses)` : `'${ref.id}'`;
      addDetail(detail, ref.path, found === false ? `no ${ref.type} account ${name} in ${where}` : found);
    }
    for (const ref of w.channelRefs) {
      const found = await Promise.all(channelTypes.map((t) => exists(t, ref.id)));
      if (found.includes(true)) continue;
      const unusable = found.filter((f) => typeof f === 'string');
      addDetail(detail, ref.path, unusable.length ? unusable.join('; ') : `no channel '${ref.id}' in ${where} (an account of type ${channelTypes.join(', ')})`);
    }
    return Object.keys(detail).length ? detail : null;
  };
}

/**
 * `vigil validate PATH… [--accounts [DIR]] [--config FILE]`: structure, scripts and templates of every
 * watch file given (folders are read like the daemon reads `watches/`); with `--accounts DIR`, that the
 * accounts they use exist in that folder, with `--accounts` alone, where the configured backend keeps
 * accounts (the accounts folder, or the cluster's accounts index). No key is needed.
 * Prints `FILE: json.path: message` per problem; exit 0 when all are valid, else 1.
 */
export async function validateCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(VALIDATE, args);
  if (!parsed.ok) return parsed.code;
  const dir = parsed.values.accounts;
  if (dir && !(await stat(dir).then((st) => st.isDirectory(), () => false))) return usageError(VALIDATE.name, `--accounts: no such folder '${dir}'`);
  const accounts =
    dir === undefined ? null : dir ? { store: new AccountFileStore(resolve(dir)), close: async () => {} } : await openToolAccounts(loadConfig({ file: parsed.values.config }), 'validate');
  try {
    const env = cliCompileEnv();
    return await validatePaths(parsed.positionals, env, accounts ? accountsExist(accounts.store, env.registry.channelTypes) : undefined);
  } finally {
    await accounts?.close();
  }
}

async function validatePaths(paths: string[], env: WatchCompileEnv, extraCheck: ExtraCheck | undefined): Promise<number> {
  let bad = 0;
  let checked = 0;
  // Counted apart: a path that is not there is no watch file, valid or not.
  let missing = 0;
  for (const arg of paths) {
    const path = resolve(arg);
    let isDir = false;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      process.stdout.write(`${arg}: _: no such file or folder\n`);
      missing++;
      continue;
    }
    const files = isDir ? await listWatchFiles(path) : [path];
    for (const file of files) {
      // A single file is named by its own name; its folder decides the tenant only inside a watches folder.
      const ref = refForFile(isDir ? path : dirname(file), file) ?? { file, tenant: '_main', id: basename(file, '.json') };
      checked++;
      if ('invalid' in ref) {
        process.stdout.write(`${file}: _: ${ref.invalid}\n`);
        bad++;
        continue;
      }
      const res = await loadWatchFile(ref, env, extraCheck);
      if (!res.ok) {
        bad++;
        for (const line of describeErrors(file, res.detail)) process.stdout.write(`${line}\n`);
      }
    }
  }
  process.stderr.write(`${checked - bad} of ${checked} watch file(s) valid${missing ? `; ${missing} path(s) not found` : ''}\n`);
  return bad || missing ? 1 : 0;
}
