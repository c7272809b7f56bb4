/**
 * Load-time checks of a watch against this node, beyond its format: run at start, on every file change
 * and on PUT, so a watch that cannot work here is refused with the path of the field at fault instead
 * of failing at its first fire. Its action types must be enabled; what its checks and actions name
 * (a cluster) must exist, as each type's `checkReferences` says; and every account its actions use
 * (named, or the `default` account of a type that needs one) must exist, open (its secrets decrypt and
 * it matches its schema) and agree with the action: the type's `checkAccount` (where the account's
 * secrets may go, the email domain allowlist…). A disabled account passes: a watch naming it loads and
 * keeps running its other actions, while sends through the account fail with ACCOUNT_DISABLED.
 */
import type { NodeRefs, Problem } from '../checks/types.ts';
import { VigilError, type ErrorDetail } from '../errors.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import type { AccountRef, ChannelRef, CompiledActionEntry, CompiledWatch } from './compile.ts';
import { addDetail } from '../error-detail.ts';

export interface NodeCheckDeps {
  /** The accounts registry; null when no master key is configured (no account can be used). */
  accounts: {
    resolve(type: string, id: string, opts?: { allowDisabled?: boolean }): Promise<unknown>;
    /** Which of `types` hold an account named `id` (channels are found by id alone). */
    holders(id: string, types: readonly string[]): Promise<string[]>;
  } | null;
  /** The node's types: which are enabled, and each type's reference checks. */
  registry: TypeRegistry;
  /** The configured cluster names; none configured (empty): cluster names are only resolved when used. */
  clusters: readonly string[];
}

/** Problems by field path, or null when the watch can run on this node. */
export async function checkWatchAgainstNode(w: CompiledWatch, deps: NodeCheckDeps): Promise<ErrorDetail | null> {
  const detail: ErrorDetail = {};
  const node: NodeRefs = { clusters: deps.clusters.length > 0 ? new Set(deps.clusters) : null };
  const add = (base: string) => (problems: Problem[] | undefined) => {
    for (const [field, message] of problems ?? []) addDetail(detail, `${base}.${field}`, message);
  };
  const checks = (list: Array<{ type: string }> | undefined, base: string) =>
    list?.forEach((c, i) => add(`${base}[${i}]`)(deps.registry.check(c.type)?.checkReferences?.(c, node)));

  checks(w.def.checks as Array<{ type: string }>, 'checks');
  const actions = [...w.actions.map((a, i) => [`actions[${i}]`, a] as const), ...w.resolveActions.map((a, i) => [`resolve_actions[${i}]`, a] as const)];
  for (const [path, a] of actions) {
    const found = deps.registry.enabled(a.type.type);
    if (!found.ok) addDetail(detail, `${path}.type`, found.message);
    add(path)(a.type.checkReferences?.(a.params, node));
    checks(a.def.checks, `${path}.checks`);
  }
  // One resolve per account, however many actions of the watch use it.
  const resolved = new Map<string, Promise<unknown>>();
  const typeOf = new Map<string, CompiledActionEntry['type']>(actions.map(([, a]) => [a.type.type, a.type]));
  for (const ref of w.accountRefs) {
    const key = `${ref.type}/${ref.id}`;
    if (deps.accounts && !resolved.has(key)) resolved.set(key, deps.accounts.resolve(ref.type, ref.id, { allowDisabled: true }).catch((e: unknown) => e));
    for (const [path, message] of await checkRef(ref, deps.accounts ? resolved.get(key)! : null, typeOf.get(ref.type))) addDetail(detail, path, message);
  }
  for (const ref of w.channelRefs) for (const [path, message] of await checkChannel(ref, deps)) addDetail(detail, path, message);
  return Object.keys(detail).length ? detail : null;
}

/**
 * A channel must be exactly one account among the channel types, of a type enabled here, that opens
 * (disabled or not: a muted channel fails its sends, it does not unload the watch).
 */
async function checkChannel(ref: ChannelRef, deps: NodeCheckDeps): Promise<Problem[]> {
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
  const found = deps.registry.enabled(type);
  if (!found.ok) return [[ref.path, `channel '${ref.id}' is a ${type} account: ${found.message}`]];
  const account = await deps.accounts.resolve(type, ref.id, { allowDisabled: true }).catch((e: unknown) => e);
  if (account instanceof VigilError) return [[ref.path, `channel '${ref.id}' (${type}) cannot be used: ${account.message}`]];
  if (account instanceof Error) throw account;
  return [];
}

async function checkRef(ref: AccountRef, resolving: Promise<unknown> | null, type: CompiledActionEntry['type'] | undefined): Promise<Problem[]> {
  const name = ref.implicit ? `'default' (the account an action without "account" uses)` : `'${ref.id}'`;
  if (!resolving) return [[ref.path, `${ref.type} account ${name} cannot be used: no master key is configured`]];
  const account = await resolving;
  if (account instanceof VigilError) {
    if (account.code === 'ACCOUNT_NOT_FOUND') return [[ref.path, `no ${ref.type} account ${name}`]];
    return [[ref.path, `${ref.type} account ${name} cannot be used: ${account.message}`]];
  }
  if (account instanceof Error) throw account;
  const problems = type?.checkAccount?.(ref.params, account) ?? [];
  return problems.map(([field, message]) => [`${ref.actionPath}.${field}`, message]);
}
