import { access, stat } from 'node:fs/promises';
import { resolve, dirname, basename, join } from 'node:path';
import { addDetail } from '../error-detail.ts';
import type { ErrorDetail } from '../errors.ts';
import { createScriptCompiler } from '../script/index.ts';
import { createTemplateEngine } from '../templates/engine.ts';
import type { WatchCompileEnv } from '../watches/compile.ts';
import { builtinRegistry } from '../registry/builtin.ts';
import { describeErrors, loadWatchFile, type ExtraCheck } from '../watches/loader.ts';
import type { CompiledWatch } from '../watches/compile.ts';
import { listWatchFiles, refForFile } from '../watches/file-names.ts';
import { parseCommand, usageError } from './args.ts';
import { VALIDATE } from './specs.ts';

/** Every built-in type, none disabled: these commands judge a watch file, not a node's configuration. */
export function cliCompileEnv(): WatchCompileEnv {
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  return { script: scripts, template: (s, m, f) => templates.compile(s, m, f), registry: builtinRegistry() };
}

/**
 * With `--accounts DIR`: every account a watch names (or the `default` one an action without `account`
 * uses) must exist there, as `<DIR>/<type>/<id>.json`. Sealed files are not opened, so no key is needed;
 * whether an account's fields suit the action is for the daemon, which can read them.
 */
export function accountsExist(dir: string): ExtraCheck {
  return async (w: CompiledWatch) => {
    const detail: ErrorDetail = {};
    for (const ref of w.accountRefs) {
      try {
        await access(join(dir, ref.type, `${ref.id}.json`));
      } catch {
        const name = ref.implicit ? `'default' (the account an action without "account" uses)` : `'${ref.id}'`;
        addDetail(detail, ref.path, `no ${ref.type} account ${name} in ${dir}`);
      }
    }
    return Object.keys(detail).length ? detail : null;
  };
}

/**
 * `vigil validate PATH… [--accounts DIR]`: structure, scripts and templates of every watch file given
 * (folders are read like the daemon reads `watches/`), and with `--accounts` the accounts they name.
 * No key is needed. Prints `FILE: json.path: message` per problem; exit 0 when all are valid, else 1.
 */
export async function validateCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(VALIDATE, args);
  if (!parsed.ok) return parsed.code;
  const env = cliCompileEnv();
  const accounts = parsed.values.accounts;
  if (accounts !== undefined && !(await stat(accounts).then((st) => st.isDirectory(), () => false))) return usageError(VALIDATE.name, `--accounts: no such folder '${accounts}'`);
  const extraCheck = accounts === undefined ? undefined : accountsExist(resolve(accounts));
  let bad = 0;
  let checked = 0;
  for (const arg of parsed.positionals) {
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
