import { stat } from 'node:fs/promises';
import { resolve, dirname, basename } from 'node:path';
import { createScriptCompiler } from '../script/index.ts';
import { createTemplateEngine } from '../templates/engine.ts';
import type { WatchCompileEnv } from '../watches/compile.ts';
import { builtinRegistry } from '../registry/builtin.ts';
import { describeErrors, loadWatchFile } from '../watches/loader.ts';
import { listWatchFiles, refForFile } from '../watches/file-names.ts';
import { parseCommand } from './args.ts';
import { VALIDATE } from './specs.ts';

/** Every built-in type, none disabled: these commands judge a watch file, not a node's configuration. */
export function cliCompileEnv(): WatchCompileEnv {
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  return { script: scripts, template: (s, m, f) => templates.compile(s, m, f), registry: builtinRegistry() };
}

/**
 * `vigil validate PATH…`: structure, scripts and templates of every watch file given (folders are read
 * like the daemon reads `watches/`). Account references are not resolved: no key is needed.
 * Prints `FILE: json.path: message` per problem; exit 0 when all are valid, else 1.
 */
export async function validateCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(VALIDATE, args);
  if (!parsed.ok) return parsed.code;
  const env = cliCompileEnv();
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
      const res = await loadWatchFile(ref, env);
      if (!res.ok) {
        bad++;
        for (const line of describeErrors(file, res.detail)) process.stdout.write(`${line}\n`);
      }
    }
  }
  process.stderr.write(`${checked - bad} of ${checked} watch file(s) valid\n`);
  return bad ? 1 : 0;
}
