import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { SearchClient } from '../cluster/types.ts';
import type { CompiledScript, ScriptContext, ScriptLang } from '../script/types.ts';
import type { EscapeMode, CompiledTemplate } from '../templates/types.ts';
import type { HttpClient } from '../net/types.ts';

/** What compiling a check (or an action's params) may use: scripts and templates compile once, at load. */
export interface CompileEnv {
  /** Throws ScriptCompileError; `lang` undefined means Painless, as in Signals. */
  script(source: string, lang: ScriptLang | undefined): CompiledScript;
  /**
   * `field`: where the template sits in the check or action being compiled (e.g. `request`), named in
   * render errors; when absent the watch compiler finds it by the source. Called only on an error.
   */
  template(source: string, mode: EscapeMode, field?: () => string): CompiledTemplate;
}

/** A load-time problem: `[path relative to the check or action, message]`. Messages never quote a secret. */
export type Problem = [field: string, message: string];

/**
 * What a watch may name on this node, for the load-time reference checks of check and action types.
 * `clusters` is null when the node cannot tell (no cluster configured, or `vigil validate`, which runs
 * offline): names are then only resolved when used.
 */
export interface NodeRefs {
  readonly clusters: ReadonlySet<string> | null;
  /**
   * Who the watch runs as, for the load-time check of literal index names (a name without a template
   * that the watch's roles do not allow is refused at its field). Absent when the node cannot tell
   * (`vigil validate`, which runs without the security configuration).
   */
  readonly identity?: { readonly access: IndexAccess; /** Now (epoch ms), for date math in those names. */ readonly now: number } | undefined;
}

/** The two index actions a watch performs: a search (search checks) and writing a document (the index action). */
export type IndexActionName = 'indices:data/read/search' | 'indices:data/write/index';

/**
 * The identity a watch runs as, as far as its calls to clusters go: the security module implements it
 * from the roles the watch runs as (the user who saved it, or its tenant's `run_as_role`), read at each
 * call so a changed role applies to the next call. Checks and actions ask before every search and
 * write, and when a watch is loaded (see `index-access.ts`).
 */
export interface IndexAccess {
  /**
   * The user the calls are made for (who saved the watch through the API), or null (a tenant's role):
   * named in messages, and sent to a cluster configured to impersonate.
   */
  readonly user: string | null;
  /**
   * Null when `action` on `target` of the cluster named `cluster` is allowed; otherwise why not, naming
   * the cluster, the index, the action and the roles (never a credential). `target` is one index, alias
   * or wildcard pattern as the call names it, date math resolved; `*` stands for every index.
   */
  denied(cluster: string, target: string, action: IndexActionName): string | null;
}

/** What a running check may use: every I/O seam is injected. */
export interface CheckRuntime {
  searchClient(cluster: string): SearchClient;
  /** What the watch may search (the roles it runs as); asked before every search. */
  access: IndexAccess;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /**
   * Cancels the run's requests (the execute API's client went away). Absent for scheduled runs, which
   * nothing cancels, so they make no AbortController for it (the clients make their own where they need one).
   */
  signal?: AbortSignal | undefined;
  /** Template variables that rendered empty; collected into the watch log. */
  reportMissing(paths: string[]): void;
}

/** `stop` ends the watch run (or, inside an action, skips the action): a condition was false. */
export type CheckOutcome = 'continue' | 'stop';

export interface CompiledCheck {
  readonly type: string;
  readonly name: string | null;
  /** Mutates `ctx.data` (by target) and returns whether to go on. Throws on failure. */
  run(ctx: ScriptContext, rt: CheckRuntime): Promise<CheckOutcome>;
}

/**
 * One check type = one file exporting one manifest, listed once in `src/checks/index.ts`. `schema` is a
 * strict zod object including `type` (a literal, or an enum of the type and its aliases) and `name`;
 * the watch schema is the discriminated union of every registered type's schema.
 */
export interface CheckType<Def extends { type: string } = { type: string; name?: string | null | undefined }> {
  readonly type: string;
  /** Extra `type` spellings accepted as the same check (e.g. `condition.script`). */
  readonly aliases?: readonly string[];
  readonly schema: z.ZodType<Def>;
  compile(def: Def, env: CompileEnv): CompiledCheck;
  /** Load time: what the check names on this node (a cluster) exists. Paths relative to the check. */
  checkReferences?(def: Def, node: NodeRefs): Problem[];
  /** What the shared conformance suite needs (test/kit/check-conformance.ts): a valid definition, as written in a watch. */
  readonly conformance: { readonly valid: Record<string, unknown> };
}

/** Puts a check result where its `target` says: `_top`/omitted replaces `data`. */
export function applyTarget(ctx: ScriptContext, target: string | null | undefined, value: unknown): void {
  if (!target || target === '_top') {
    ctx.data = isPlainObject(value) ? (value as Record<string, unknown>) : { _value: value };
  } else {
    // Defined rather than assigned: even a name the schema missed must stay an own key of data.
    Object.defineProperty(ctx.data, target, { value, writable: true, enumerable: true, configurable: true });
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
