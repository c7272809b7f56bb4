import { hash } from 'node:crypto';
import type { ErrorDetail } from '../errors.ts';
import { VigilError } from '../errors.ts';
import type { ActionType, CompiledAction } from '../actions/types.ts';
import type { CompileEnv, CompiledCheck } from '../checks/types.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import { parseThrottle, type ThrottleSpec } from '../schedule/duration.ts';
import { compileSchedule, type Schedule } from '../schedule/triggers.ts';
import { ScriptCompileError, type CompiledScript } from '../script/types.ts';
import { watchSchemaFor, type ActionDef, type LevelId, type WatchDef } from './schema.ts';
import { addDetail, formatPath, zodDetail } from '../error-detail.ts';
import { storedRefsIn } from '../request/schema.ts';
import { takeVigilField, type SavedBy } from './run-as.ts';

export interface CompiledSeverity {
  script: CompiledScript;
  order: 'ascending' | 'descending';
  mapping: Array<{ threshold: number; level: LevelId }>;
}

export interface CompiledActionEntry {
  def: ActionDef;
  type: ActionType;
  /** The type-specific params (the fields of `type.params`), as the type's `compile` and checks see them. */
  params: Record<string, unknown>;
  /**
   * The account the action uses, as the action names it (`id` or `<type>:<id>`, see
   * `TypeRegistry.accountRef`): the one it names, else `default` for a type whose account is required
   * (as Signals does), else none.
   */
  accountId: string | null;
  compiled: CompiledAction;
  checks: CompiledCheck[];
  foreach: CompiledScript | null;
  throttle: ThrottleSpec | null;
  /** Levels the action runs for (null = any, including none). */
  severity: ReadonlySet<LevelId> | null;
  /** Resolve actions: levels whose end they announce (null = any level). */
  resolvesSeverity: ReadonlySet<LevelId> | null;
}

export interface CompiledWatch {
  tenant: string;
  id: string;
  /** Short content hash: the `watch_version` of the watch log. */
  version: string;
  def: WatchDef;
  schedule: Schedule;
  checks: CompiledCheck[];
  severity: CompiledSeverity | null;
  actions: CompiledActionEntry[];
  resolveActions: CompiledActionEntry[];
  /** Accounts the actions refer to (named or `default`), for load-time checks and the account-delete 409. */
  accountRefs: AccountRef[];
  /** Channels the actions send through (`notification` actions), for the same. */
  channelRefs: ChannelRef[];
  /** Stored proxies and trust stores the watch's requests name, for load-time checks and the delete 409. */
  storedRefs: StoredRef[];
  /** Who saved it through the REST API (`_vigil.saved_by`): it runs as them; null: it runs as its tenant's role. */
  savedBy: SavedBy | null;
}

/** One use of a stored proxy (`proxy: "<id>"`) or trust store (`tls.truststore_id`). */
export interface StoredRef {
  kind: 'proxy' | 'truststore';
  id: string;
  /** JSON path of the field that names it, e.g. `checks[0].proxy`, `actions[1].tls.truststore_id`. */
  path: string;
}

/**
 * One action's use of a channel: an account of whichever channel type holds the id (see
 * `TypeRegistry.channelTypes`), found when the watch loads and again at each send.
 */
export interface ChannelRef {
  id: string;
  /** JSON path of the field naming the channel, e.g. `actions[0].channel`. */
  path: string;
  actionPath: string;
}

/** Whether a watch uses the account `type`/`id`: named by an action, or as the channel of one. */
export function usesAccount(w: Pick<CompiledWatch, 'accountRefs' | 'channelRefs'>, type: string, id: string, channelTypes: ReadonlySet<string>): boolean {
  return w.accountRefs.some((r) => r.type === type && r.id === id) || (channelTypes.has(type) && w.channelRefs.some((r) => r.id === id));
}

/** One action's use of an account. */
export interface AccountRef {
  /** The account type: the action type's own, a linked one (`ses`), or a linked lookup (`email_group`). */
  type: string;
  id: string;
  /**
   * `account`: the account the action sends with (its `account` field, or `default`); `link`: another
   * account its params name (a recipient group in `to`).
   */
  kind: 'account' | 'link';
  /** The action's type. */
  actionType: string;
  /** JSON path of the field that names it: the action's `account` (present or not), e.g. `actions[0].account`, or `actions[0].to[1]`. */
  path: string;
  /** JSON path of the action itself, e.g. `actions[0]`. */
  actionPath: string;
  /** True when the action names no account and uses `default`. */
  implicit: boolean;
  /** The action's type-specific params, for the type's `checkAccount`. */
  params: Record<string, unknown>;
}

/** The account id an action uses: its own, or `default` when its type cannot run without one. */
function effectiveAccount(def: { account?: string | undefined }, type: ActionType): string | null {
  return def.account ?? (type.account?.required ? DEFAULT_ACCOUNT : null);
}

/** The account an action of an account-based type uses when it names none (Signals' rule). */
export const DEFAULT_ACCOUNT = 'default';

export type CompileResult = { ok: true; watch: CompiledWatch } | { ok: false; detail: ErrorDetail };

/** What compiling a watch needs: the script and template compilers, and the types it may use. */
export interface WatchCompileEnv extends CompileEnv {
  readonly registry: TypeRegistry;
}

/** Where in `root` a string equal to `needle` sits, so a script or template error lands on its field. */
function findString(root: unknown, needle: string, path: Array<string | number> = []): Array<string | number> | null {
  if (root === needle) return path;
  if (root && typeof root === 'object') {
    for (const [k, v] of Object.entries(root)) {
      const found = findString(v, needle, [...path, Array.isArray(root) ? Number(k) : k]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Where a template's source sits under `node`: as written, or JSON-escaped (templates inside JSON
 * documents are compiled from their escaped text); else the path of `node` itself.
 */
function templatePath(base: Array<string | number>, node: unknown, source: string): string {
  let sub = findString(node, source);
  if (!sub) {
    try {
      sub = findString(node, JSON.parse(`"${source}"`) as string);
    } catch {
      // Not an escaped string.
    }
  }
  return formatPath([...base, ...(sub ?? [])]);
}

/**
 * Validates a watch document and compiles everything in it once: schedule, scripts, templates. Every
 * problem is collected with its JSON path; nothing throws for bad input.
 */
export function compileWatch(raw: unknown, where: { tenant: string; id: string }, env: WatchCompileEnv): CompileResult {
  const { registry } = env;
  const { definition, savedBy, detail: vigilProblems } = takeVigilField(raw);
  const parsed = watchSchemaFor(registry).safeParse(definition);
  if (!parsed.success) return { ok: false, detail: { ...vigilProblems, ...zodDetail(parsed.error.issues, { input: definition }) } };
  const def = parsed.data;
  const detail: ErrorDetail = { ...vigilProblems };

  /**
   * Runs `fn`; a script/template/validation error becomes a detail entry at the best path we can find.
   * Templates are told their path too (found only if a render fails), so budget errors name the field.
   */
  function guard<T>(base: Array<string | number>, node: unknown, fn: (env: CompileEnv) => T): T | null {
    let current: string | undefined;
    const tracking: CompileEnv = {
      script: (source, lang) => ((current = source), env.script(source, lang)),
      template: (source, mode, field) => (
        (current = source),
        env.template(source, mode, () => (field ? formatPath([...base, field()]) : templatePath(base, node, source)))
      ),
    };
    try {
      return fn(tracking);
    } catch (e) {
      const sub = current !== undefined ? findString(node, current) : null;
      const path = formatPath([...base, ...(sub ?? [])]);
      if (e instanceof ScriptCompileError) addDetail(detail, path, e.message);
      else if (e instanceof VigilError && e.detail) {
        for (const [p, list] of Object.entries(e.detail)) for (const item of list) addDetail(detail, `${formatPath(base)}.${p}`, item.error);
      } else addDetail(detail, path, (e as Error).message);
      return null;
    }
  }

  const schedule = guard(['trigger', 'schedule'], def.trigger.schedule, () => compileSchedule(def.trigger.schedule));
  const compileChecks = (list: Array<{ type: string }>, base: Array<string | number>) =>
    // The schema admitted only registered types.
    list.map((c, i) => guard([...base, i], c, (e) => registry.check(c.type)!.compile(c, e))).filter((c): c is CompiledCheck => c !== null);
  const checks = compileChecks(def.checks as Array<{ type: string }>, ['checks']);

  let severity: CompiledSeverity | null = null;
  if (def.severity) {
    const s = def.severity;
    const script = guard(['severity'], s, (e) => e.script(s.value, s.lang));
    if (script) severity = { script, order: s.order, mapping: [...s.mapping].sort((a, b) => a.threshold - b.threshold) };
  }

  const accountRefs: CompiledWatch['accountRefs'] = [];
  const channelRefs: CompiledWatch['channelRefs'] = [];
  const compileActions = (list: ActionDef[], key: 'actions' | 'resolve_actions') =>
    list.flatMap((a, i): CompiledActionEntry[] => {
      const type = registry.action(a.type)!;
      const base = [key, i];
      const params: Record<string, unknown> = {};
      for (const k of Object.keys(type.params.shape)) if (a[k] !== undefined) params[k] = a[k];
      const accountId = effectiveAccount(a, type);
      const actionPath = formatPath(base);
      if (type.channelOf) {
        // A channel action sends through the channel's own account, found by the channel's id.
        if (a.account !== undefined) addDetail(detail, formatPath([...base, 'account']), `a ${a.type} action sends through its channel and names no account`);
        const channel = guard(base, a, () => type.channelOf!(params));
        if (channel !== null) channelRefs.push({ id: channel, path: formatPath([...base, 'channel']), actionPath });
      } else if (accountId !== null) {
        const ref = registry.accountRef(a.type, accountId);
        const path = formatPath([...base, 'account']);
        if (ref.ok) accountRefs.push({ type: ref.type, id: ref.id, kind: 'account', actionType: a.type, path, actionPath, implicit: a.account === undefined, params });
        else addDetail(detail, path, ref.message);
      }
      for (const link of type.references?.params?.(params) ?? []) {
        accountRefs.push({ type: link.type, id: link.id, kind: 'link', actionType: a.type, path: `${actionPath}.${link.field}`, actionPath, implicit: false, params });
      }
      const compiled = guard(base, a, (e) => type.compile(params, e));
      const foreach = a.foreach !== undefined ? guard(base, a, (e) => e.script(a.foreach!, a.foreach_lang)) : null;
      const throttleText = a.throttle_period ?? def.throttle_period;
      const entry: CompiledActionEntry = {
        def: a,
        type,
        params,
        accountId,
        compiled: compiled!,
        checks: compileChecks(a.checks ?? [], [...base, 'checks']),
        foreach,
        throttle: throttleText ? parseThrottle(throttleText) : null,
        severity: a.severity ? new Set(a.severity) : null,
        resolvesSeverity: a.resolves_severity ? new Set(a.resolves_severity) : null,
      };
      return compiled ? [entry] : [];
    });
  const actions = compileActions(def.actions as ActionDef[], 'actions');
  const resolveActions = compileActions(def.resolve_actions as ActionDef[], 'resolve_actions');

  if (Object.keys(detail).length > 0 || !schedule) return { ok: false, detail };
  const storedRefs = storedRefsIn(def).map((r): StoredRef => ({ kind: r.kind, id: r.id, path: formatPath(r.path) }));
  // The one-shot digest: half the cost of a Hash object, which shows when many thousands of files load.
  const version = hash('sha256', JSON.stringify(raw), 'hex').slice(0, 16);
  return {
    ok: true,
    watch: { tenant: where.tenant, id: where.id, version, def, schedule, checks, severity, actions, resolveActions, accountRefs, channelRefs, storedRefs, savedBy },
  };
}
