/**
 * Load-time checks of a watch against this node, beyond its format: run at start, on every file change
 * and on PUT, so a watch that cannot work here is refused with the path of the field at fault instead
 * of failing at its first fire. Its action types must be enabled; what its checks and actions name
 * (a cluster) must exist, and the index names it writes without a template must be allowed to the
 * roles it runs as, as each type's `checkReferences` says; and every account its actions use
 * (named, or the `default` account of a type that needs one) must exist, open (its secrets decrypt and
 * it matches its schema), be open to the watch's tenant (its `tenants`), and agree with the action: the
 * type's `checkAccount` (where the account's secrets may go, the email domain allowlist…); every channel
 * its `notification` actions name must be one such account; and every stored proxy and trust store its
 * requests name must exist and open. A disabled account passes: a watch naming it loads and keeps
 * running its other actions, while sends through the account fail with ACCOUNT_DISABLED.
 */
import type { NodeRefs, Problem } from '../checks/types.ts';
import { VigilError, type ErrorDetail } from '../errors.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import type { ChannelRef, CompiledWatch } from './compile.ts';
import { addDetail } from '../error-detail.ts';
import type { StoredRefs } from '../request/stored-refs.ts';

export interface NodeCheckDeps {
  /** The accounts registry; null when no master key is configured (no account can be used). */
  accounts: {
    resolve(type: string, id: string, o?: { tenant?: string; allowDisabled?: boolean }): Promise<unknown>;
    /** Which of `types` hold an account named `id` (channels are found by id alone). */
    holders(id: string, types: readonly string[]): Promise<string[]>;
  } | null;
  /** The node's types: which are enabled, and each type's reference checks. */
  registry: TypeRegistry;
  /** The configured cluster names; none configured (empty): cluster names are only resolved when used. */
  clusters: readonly string[];
  /** The stored proxies and trust stores; null when no master key is configured (none can be used). */
  stored: StoredRefs | null;
  /**
   * Who the watch runs as, and now: index names written without a template must be allowed to it.
   * Absent: not checked (`vigil validate`, offline).
   */
  identity?: NodeRefs['identity'];
}

/** Problems by field path, or null when the watch can run on this node. */
export async function checkWatchAgainstNode(w: CompiledWatch, deps: NodeCheckDeps): Promise<ErrorDetail | null> {
  const detail: ErrorDetail = {};
  const node: NodeRefs = { clusters: deps.clusters.length > 0 ? new Set(deps.clusters) : null, identity: deps.identity };
  checkReferences(w, deps.registry, node, detail);
  // One resolve per account, however many actions of the watch use it.
  const resolved = new Map<string, Promise<unknown>>();
  const resolving = (type: string, id: string): Promise<unknown> | null => {
    if (!deps.accounts) return null;
    const key = `${type}/${id}`;
    if (!resolved.has(key)) resolved.set(key, deps.accounts.resolve(type, id, { tenant: w.tenant, allowDisabled: true }).catch((e: unknown) => e));
    return resolved.get(key)!;
  };
  for (const ref of w.accountRefs) {
    const type = deps.registry.action(ref.actionType);
    const account = await opened(ref.type, ref.id, ref.implicit, resolving(ref.type, ref.id));
    if (!account.ok) {
      addDetail(detail, ref.path, account.problem);
      continue;
    }
    if (ref.kind === 'link') continue;
    for (const [field, message] of type?.checkAccount?.(ref.params, account.value, ref.type) ?? []) addDetail(detail, `${ref.actionPath}.${field}`, message);
    // What the account itself names (a sender's default recipient groups) must exist too.
    for (const link of type?.references?.account?.(ref.type, account.value) ?? []) {
      const named = await opened(link.type, link.id, false, resolving(link.type, link.id));
      if (!named.ok) addDetail(detail, ref.path, `${ref.type} account '${ref.id}' names in ${link.field}: ${named.problem}`);
    }
  }
  for (const ref of w.channelRefs) for (const [path, message] of await checkChannel(ref, w.tenant, deps)) addDetail(detail, path, message);
  for (const [path, list] of Object.entries((await storedRefProblems(w, deps.stored)) ?? {})) for (const d of list) addDetail(detail, path, d.error);
  return Object.keys(detail).length ? detail : null;
}

/**
 * The clusters a watch names that this node does not configure, as `[path, message]`, also when none is
 * configured at all (where loading does not check them, and every search would fail): what the
 * start-up summary and the health report name. Empty when the watch names only configured clusters.
 */
export function missingClusters(w: CompiledWatch, registry: TypeRegistry, configured: readonly string[]): Problem[] {
  const detail: ErrorDetail = {};
  checkReferences(w, registry, { clusters: new Set(configured) }, detail, false);
  return Object.entries(detail).flatMap(([path, list]) => list.map((d): Problem => [path, d.error]));
}

/** What the watch's checks and actions name on this node (and, with `types`, whether their types are enabled). */
function checkReferences(w: CompiledWatch, registry: TypeRegistry, node: NodeRefs, detail: ErrorDetail, types = true): void {
  const add = (base: string) => (problems: Problem[] | undefined) => {
    for (const [field, message] of problems ?? []) addDetail(detail, `${base}.${field}`, message);
  };
  const checks = (list: Array<{ type: string }> | undefined, base: string) =>
    list?.forEach((c, i) => add(`${base}[${i}]`)(registry.check(c.type)?.checkReferences?.(c, node)));

  checks(w.def.checks as Array<{ type: string }>, 'checks');
  const actions = [...w.actions.map((a, i) => [`actions[${i}]`, a] as const), ...w.resolveActions.map((a, i) => [`resolve_actions[${i}]`, a] as const)];
  for (const [path, a] of actions) {
    const found = registry.enabled(a.type.type);
    if (types && !found.ok) addDetail(detail, `${path}.type`, found.message);
    add(path)(a.type.checkReferences?.(a.params, node));
    checks(a.def.checks, `${path}.checks`);
  }
}

/** The stored proxies and trust stores the watch names that cannot be used here, by the path naming each. */
export async function storedRefProblems(w: CompiledWatch, stored: StoredRefs | null): Promise<ErrorDetail | null> {
  const detail: ErrorDetail = {};
  for (const ref of w.storedRefs) {
    const what = ref.kind === 'proxy' ? 'stored proxy' : 'stored trust store';
    if (!stored) {
      addDetail(detail, ref.path, `${what} '${ref.id}' cannot be used: no master key is configured`);
      continue;
    }
    try {
      await (ref.kind === 'proxy' ? stored.proxyUri(ref.id) : stored.truststorePem(ref.id));
    } catch (e) {
      if (e instanceof VigilError && e.code === 'NOT_FOUND') addDetail(detail, ref.path, `no ${what} '${ref.id}'`);
      else if (e instanceof VigilError) addDetail(detail, ref.path, `${what} '${ref.id}' cannot be used: ${e.message}`);
      else throw e;
    }
  }
  return Object.keys(detail).length ? detail : null;
}

/**
 * A channel must be exactly one account among the channel types, of a type enabled here, that opens
 * for the watch's tenant (disabled or not: a muted channel fails its sends, it does not unload the watch).
 */
async function checkChannel(ref: ChannelRef, tenant: string, deps: NodeCheckDeps): Promise<Problem[]> {
  const types = deps.registry.channelTypes;
  if (!deps.accounts) return [[ref.path, `channel '${ref.id}' cannot be used: channels are accounts, and no master key is configured`]];
  let holders: string[];
  try {
    holders = await deps.accounts.holders(ref.id, types);
  } catch (e) {
    if (e instanceof VigilError) return [[ref.path, e.message]];
    throw e;
  }
  if (holders.length === 0) return [[ref.path, `no channel '${ref.id}' (an account of type ${types.join(', ')})`]];
  if (holders.length > 1) return [[ref.path, `channel '${ref.id}' is ambiguous: ${holders.map((t) => `${t}/${ref.id}`).join(' and ')} share the id; rename all but one`]];
  const type = holders[0]!;
  const found = deps.registry.enabled(deps.registry.accountType(type)!.owner.type);
  if (!found.ok) return [[ref.path, `channel '${ref.id}' is a ${type} account: ${found.message}`]];
  const account = await deps.accounts.resolve(type, ref.id, { tenant, allowDisabled: true }).catch((e: unknown) => e);
  if (account instanceof VigilError) return [[ref.path, `channel '${ref.id}' (${type}) cannot be used: ${account.message}`]];
  if (account instanceof Error) throw account;
  return [];
}

/** The opened account, or why it cannot be used (never quoting a secret). */
async function opened(
  type: string,
  id: string,
  implicit: boolean,
  resolving: Promise<unknown> | null,
): Promise<{ ok: true; value: unknown } | { ok: false; problem: string }> {
  const name = implicit ? `'default' (the account an action without "account" uses)` : `'${id}'`;
  if (!resolving) return { ok: false, problem: `${type} account ${name} cannot be used: no master key is configured` };
  const account = await resolving;
  if (account instanceof VigilError) {
    if (account.code === 'ACCOUNT_NOT_FOUND') return { ok: false, problem: `no ${type} account ${name}` };
    return { ok: false, problem: `${type} account ${name} cannot be used: ${account.message}` };
  }
  if (account instanceof Error) throw account;
  return { ok: true, value: account };
}
