import { stat } from 'node:fs/promises';
import { resolve, dirname, basename } from 'node:path';
import { createScriptCompiler } from '../script/index.ts';
import { createTemplateEngine } from '../templates/engine.ts';
import type { WatchCompileEnv } from '../watches/compile.ts';
import { builtinRegistry } from '../registry/builtin.ts';
import { describeErrors, loadWatchFile } from '../watches/loader.ts';
import { listWatchFiles, refForFile } from '../watches/file-names.ts';
import type { ErrorDetail } from '../errors.ts';
import { addDetail } from '../error-detail.ts';
import { loadConfig } from '../config/load.ts';
import type { AccountDocStore } from '../accounts/doc-store.ts';
import { AccountFileError } from '../accounts/store.ts';
import type { CompiledWatch } from '../watches/compile.ts';
import { parseCommand } from './args.ts';
import { openToolAccounts } from './backend.ts';
import { VALIDATE } from './specs.ts';

/** Every built-in type, none disabled: these commands judge a watch file, not a node's configuration. */
export function cliCompileEnv(): WatchCompileEnv {
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  return { script: scripts, template: (s, m, f) => templates.compile(s, m, f), registry: builtinRegistry() };
}

/** Each account a watch uses must exist (usable) where the backend keeps accounts; no key is needed to tell. */
function accountCheck(store: AccountDocStore): (w: CompiledWatch) => Promise<ErrorDetail | null> {
  return async (w) => {
    const detail: ErrorDetail = {};
    for (const r of w.accountRefs) {
      try {
        if ((await store.read(r.type, r.id)) === undefined) addDetail(detail, r.path, `no ${r.type} account '${r.id}'${r.implicit ? ' (the account an action that names none uses)' : ''}`);
      } catch (e) {
        if (!(e instanceof AccountFileError)) throw e;
        addDetail(detail, r.path, `${r.type} account '${r.id}' is unusable: its ${store.unit} ${e.reason}`);
      }
    }
    return detail;
  };
}

/**
 * `vigil validate PATH…`: structure, scripts and templates of every watch file given (folders are read
 * like the daemon reads `watches/`); with `--accounts`, that the accounts they use exist where the
 * configured backend keeps accounts. No key is needed.
 * Prints `FILE: json.path: message` per problem; exit 0 when all are valid, else 1.
 */
export async function validateCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(VALIDATE, args);
  if (!parsed.ok) return parsed.code;
  const accounts = parsed.values.accounts ? await openToolAccounts(loadConfig({ file: parsed.values.config }), 'validate') : null;
  try {
    return await validatePaths(parsed.positionals, accounts ? accountCheck(accounts.store) : undefined);
  } finally {
    await accounts?.close();
  }
}

async function validatePaths(paths: string[], extraCheck: ((w: CompiledWatch) => Promise<ErrorDetail | null>) | undefined): Promise<number> {
  const env = cliCompileEnv();
  let bad = 0;
  let checked = 0;
  for (const arg of paths) {
    const path = resolve(arg);
    let isDir = false;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      process.stdout.write(`${arg}: _: no such file or folder\n`);
      bad++;
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
  process.stderr.write(`${checked - bad} of ${checked} watch file(s) valid\n`);
  return bad ? 1 : 0;
}
