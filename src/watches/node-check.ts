/**
 * Load-time checks of a watch against this node, beyond its format: run at start, on every file change
 * and on PUT, so a watch that cannot work here is refused with the path of the field at fault instead
 * of failing at its first fire. Its action types must be enabled, and every account its actions use
 * (named, or the `default` account of a type that needs one) must exist, open (its secrets decrypt and
 * it matches its schema) and agree with the action: the type's `checkAccount` (where the account's
 * secrets may go, the email domain allowlist…).
 */
import { actionTypes } from '../actions/index.ts';
import type { ActionType } from '../actions/types.ts';
import { VigilError, type ErrorDetail } from '../errors.ts';
import type { AccountRef, CompiledWatch } from './compile.ts';
import { addDetail } from '../error-detail.ts';

export interface NodeCheckDeps {
  /** The accounts registry; null when no master key is configured (no account can be used). */
  accounts: { resolve(type: string, id: string): Promise<unknown> } | null;
  /** `egress.disabled_action_types`. */
  disabledTypes: readonly string[];
}

const typeByName = new Map<string, ActionType>(actionTypes.map((t) => [t.type, t]));

/** Problems by field path, or null when the watch can run on this node. */
export async function checkWatchAgainstNode(w: CompiledWatch, deps: NodeCheckDeps): Promise<ErrorDetail | null> {
  const detail: ErrorDetail = {};
  const all = [...w.actions.map((a, i) => [`actions[${i}]`, a] as const), ...w.resolveActions.map((a, i) => [`resolve_actions[${i}]`, a] as const)];
  for (const [path, a] of all) {
    if (deps.disabledTypes.includes(a.type.type)) addDetail(detail, `${path}.type`, `action type ${a.type.type} is disabled on this node`);
  }
  // One resolve per account, however many actions of the watch use it.
  const resolved = new Map<string, Promise<unknown>>();
  for (const ref of w.accountRefs) {
    const key = `${ref.type}/${ref.id}`;
    if (deps.accounts && !resolved.has(key)) resolved.set(key, deps.accounts.resolve(ref.type, ref.id).catch((e: unknown) => e));
    for (const [path, message] of await checkRef(ref, deps.accounts ? resolved.get(key)! : null)) addDetail(detail, path, message);
  }
  return Object.keys(detail).length ? detail : null;
}

async function checkRef(ref: AccountRef, resolving: Promise<unknown> | null): Promise<Array<[string, string]>> {
  const name = ref.implicit ? `'default' (the account an action without "account" uses)` : `'${ref.id}'`;
  if (!resolving) return [[ref.path, `${ref.type} account ${name} cannot be used: no master key is configured`]];
  const account = await resolving;
  if (account instanceof VigilError) {
    if (account.code === 'ACCOUNT_NOT_FOUND') return [[ref.path, `no ${ref.type} account ${name}`]];
    return [[ref.path, `${ref.type} account ${name} cannot be used: ${account.message}`]];
  }
  if (account instanceof Error) throw account;
  const type = typeByName.get(ref.type);
  const problems = type?.checkAccount?.(ref.params, account) ?? [];
  return problems.map(([field, message]) => [`${ref.actionPath}.${field}`, message]);
}
