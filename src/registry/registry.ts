/**
 * The registry of check and action types: built once, in the composition root, from the lists in
 * `src/checks/index.ts` and `src/actions/index.ts`, and handed to everything that needs a type by its
 * name: the watch schema and compiler, the load-time node checks, the Deliverer, the accounts registry
 * and the REST API. It refuses, when built, a manifest with a missing part, a type or alias given
 * twice, params that would shadow a common action field, and a disabled type it does not know; and it
 * is the one place that tells a type switched off on this node from one that does not exist.
 */
import type { AccountManifest, ActionType } from '../actions/types.ts';
import type { AccountSchemas } from '../actions/shared/account-schema.ts';
import type { CheckType } from '../checks/types.ts';
import { VigilError } from '../errors.ts';
import { checkActionManifest, checkCheckManifest, checkNames, RegistryError } from './manifests.ts';

export { RegistryError } from './manifests.ts';

/** The types to register: each list holds one manifest per type. */
export interface RegistryTypes {
  readonly actions: readonly ActionType[];
  readonly checks: readonly CheckType<any>[];
}

export interface RegistryOptions {
  /**
   * Action types known but switched off on this node (`egress.disabled_action_types`): watches using
   * them are refused at load, their pending deliveries fail, their accounts cannot be tested. Their
   * accounts can still be managed. Every name must be a registered type.
   */
  readonly disabled?: readonly string[];
}

/**
 * One account type as the accounts registry, the REST APIs and the deliverer see it: an action type's
 * own account (named after the action type) or one of its linked account types (`ses`, `email_group`).
 * `owner` is what is enabled or disabled on this node and whose `deliver` sends with the account.
 */
export interface AccountTypeEntry {
  /** The account type's name (`accounts/<type>/`). */
  readonly type: string;
  /** The action type it belongs to: its enabled state is the account type's, its `deliver` sends with it. */
  readonly owner: ActionType;
  readonly role: 'own' | 'sender' | 'lookup';
  /** Schemas, destination and `_test`. */
  readonly manifest: AccountSchemas<unknown> & Pick<AccountManifest<unknown>, 'destination' | 'test'>;
}

/** What an action's `account` value names: an account type (the action's own or a linked sender) and an id. */
export type AccountRefLookup = { ok: true; type: string; id: string } | { ok: false; message: string };

/** The action type to use for a name on this node, or why there is none. */
export type ActionLookup =
  | { ok: true; type: ActionType }
  | { ok: false; code: 'ACTION_TYPE_DISABLED' | 'UNKNOWN_ACTION_TYPE'; message: string };

export interface TypeRegistry {
  /** Every registered action type, disabled ones included (a watch naming one is told it is disabled, not unknown). */
  readonly actions: readonly ActionType[];
  readonly checks: readonly CheckType<any>[];
  /** The action types that have accounts, disabled ones included. */
  readonly accountTypes: readonly ActionType[];
  /** Every account type: the action types' own and their linked ones, disabled owners included. */
  readonly accounts: readonly AccountTypeEntry[];
  /**
   * The names of the account types whose accounts can be channels, disabled ones included: those an
   * owner with a `channel` format sends with (its own and its linked senders, not its lookups).
   */
  readonly channelTypes: readonly string[];
  /** The action types switched off on this node. */
  readonly disabled: ReadonlySet<string>;
  /** A registered action type, enabled or not (for validating and compiling watches). */
  action(name: string): ActionType | undefined;
  /** A check type by its name or an alias. */
  check(name: string): CheckType<any> | undefined;
  /** The action type to run, send or test with on this node: refuses a disabled or unknown one, saying which. */
  enabled(name: string): ActionLookup;
  /** An account type by its name. */
  accountType(name: string): AccountTypeEntry | undefined;
  /**
   * The account an action of `actionType` names with `ref`: `id` is an account of the action type's own
   * account type, `<type>:<id>` one of the given type, which must be the own type or a linked sender.
   */
  accountRef(actionType: string, ref: string): AccountRefLookup;
  /** Releases what the action types hold (pooled connections); once, at shutdown. */
  close(): Promise<void>;
}

export function createRegistry(types: RegistryTypes, options: RegistryOptions = {}): TypeRegistry {
  const actionByName = new Map<string, ActionType>();
  for (const t of types.actions) {
    checkActionManifest(t);
    if (actionByName.has(t.type)) throw new RegistryError(`action type "${t.type}" is registered twice`);
    actionByName.set(t.type, t);
  }
  const checkByName = new Map<string, CheckType<any>>();
  for (const t of types.checks) {
    checkCheckManifest(t);
    for (const name of checkNames(t)) {
      const other = checkByName.get(name);
      if (other) {
        throw new RegistryError(other === t ? `check type "${t.type}" lists "${name}" twice` : `check type "${t.type}": "${name}" is already the name or an alias of check type "${other.type}"`);
      }
      checkByName.set(name, t);
    }
  }

  const known = [...actionByName.keys()].sort();
  const disabled = new Set(options.disabled ?? []);
  const unknownDisabled = [...disabled].filter((name) => !actionByName.has(name));
  if (unknownDisabled.length > 0) {
    throw new VigilError(
      'CONFIG_INVALID',
      `egress.disabled_action_types: unknown action type(s) ${unknownDisabled.map((n) => `"${n}"`).join(', ')}; known: ${known.join(', ')}`,
    );
  }

  const accountByName = new Map<string, AccountTypeEntry>();
  for (const t of types.actions) {
    if (!t.account) continue;
    const entries: AccountTypeEntry[] = [
      { type: t.type, owner: t, role: 'own', manifest: t.account },
      ...(t.linkedAccounts ?? []).map((l): AccountTypeEntry => ({ type: l.type, owner: t, role: l.role, manifest: l })),
    ];
    for (const e of entries) {
      const other = accountByName.get(e.type);
      if (other) throw new RegistryError(`account type "${e.type}" of action type "${t.type}" is already an account type of action type "${other.owner.type}"`);
      accountByName.set(e.type, e);
    }
  }
  // An action type named like another's linked account type would share its accounts folder.
  for (const [name, entry] of accountByName) {
    if (entry.role !== 'own' && actionByName.has(name)) throw new RegistryError(`account type "${name}" of action type "${entry.owner.type}" is also the name of an action type`);
  }

  const actions = Object.freeze([...types.actions]);
  const accounts = Object.freeze([...accountByName.values()]);
  return {
    actions,
    checks: Object.freeze([...types.checks]),
    accountTypes: Object.freeze(actions.filter((t) => t.account !== undefined)),
    accounts,
    channelTypes: Object.freeze(accounts.filter((e) => e.owner.channel !== undefined && e.role !== 'lookup').map((e) => e.type)),
    disabled,
    action: (name) => actionByName.get(name),
    check: (name) => checkByName.get(name),
    enabled(name) {
      const type = actionByName.get(name);
      if (!type) return { ok: false, code: 'UNKNOWN_ACTION_TYPE', message: `unknown action type "${name}"; known: ${known.join(', ')}` };
      if (disabled.has(name)) return { ok: false, code: 'ACTION_TYPE_DISABLED', message: `action type ${name} is disabled on this node (egress.disabled_action_types)` };
      return { ok: true, type };
    },
    accountType: (name) => accountByName.get(name),
    accountRef(actionType, ref) {
      const colon = ref.indexOf(':');
      if (colon < 0) return { ok: true, type: actionType, id: ref };
      const type = ref.slice(0, colon);
      const id = ref.slice(colon + 1);
      const entry = accountByName.get(type);
      if (entry?.owner.type === actionType && entry.role !== 'lookup') return { ok: true, type, id };
      const senders = [...accountByName.values()].filter((e) => e.owner.type === actionType && e.role !== 'lookup').map((e) => e.type);
      return { ok: false, message: `a ${actionType} action cannot send with a ${type} account; account types it can use: ${senders.join(', ') || 'none'}` };
    },
    async close() {
      // Every type is closed even when one fails; the first failure is reported after.
      const results = await Promise.allSettled(actions.map((t) => t.close?.()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
