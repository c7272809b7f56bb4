/**
 * One entry point for compiling scripts: picks the engine by `lang`. Painless is the
 * default when `lang` is omitted, as in Signals.
 */
import { celEngine } from './cel.ts';
import type { CompiledScript, ScriptLang } from './types.ts';
import { ScriptCompileError } from './types.ts';

import { painlessEngine } from './painless/index.ts';

export type ScriptCompiler = (source: string, lang: ScriptLang | undefined) => CompiledScript;

/**
 * Returns a compiler that dispatches on `lang`: `cel` → CEL; `painless` or omitted → the Painless
 * subset. Throws ScriptCompileError (with line and column) for a script that does not compile, and for
 * an unknown `lang` (the watch schema should already reject those).
 */
export function createScriptCompiler(): ScriptCompiler {
  return (source, lang) => {
    switch (lang ?? 'painless') {
      case 'cel':
        return celEngine.compile(source);
      case 'painless':
        return painlessEngine.compile(source);
      default:
        throw new ScriptCompileError(`unknown script language "${String(lang)}"; use "cel" or "painless"`, 1, 1);
    }
  };
}
