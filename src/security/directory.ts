/**
 * The security configuration in memory: every user, role, role mapping, action group and tenant, loaded
 * once from the SecurityStore and kept in step with it by writing through. Authentication and
 * authorization read only from here, so no request waits for the store; roles are compiled (action
 * groups expanded) once per change, not per request.
 *
 * Writes are serialized: a change reads what it changes and writes it without another change in between.
 */
import type { ActionGroupRecord, RoleRecord, SecurityChange, SecurityDocKind, SecurityDocs, SecurityStore, UserRecord } from '../state/security-types.ts';
import { SECURITY_DOC_KINDS } from '../state/security-types.ts';
import { BUILTIN_ACTION_GROUPS } from './permissions.ts';
import { compileRole, type CompiledRole } from './role-eval.ts';
import { BUILTIN_ROLES, MAIN_TENANT } from './roles.ts';

type Maps = { [K in SecurityDocKind]: Map<string, SecurityDocs[K]> };

/** Built-in documents by kind: reserved, never stored, always present. */
export const BUILTINS: { [K in SecurityDocKind]: Readonly<Record<string, SecurityDocs[K]>> } = {
  roles: BUILTIN_ROLES,
  rolesmapping: {},
  actiongroups: BUILTIN_ACTION_GROUPS,
  tenants: { [MAIN_TENANT]: { description: 'The tenant of the watches directly in the watches folder', reserved: true } },
};

export class SecurityDirectory {
  readonly #store: SecurityStore;
  readonly #users = new Map<string, UserRecord>();
  readonly #docs: Maps = { roles: new Map(), rolesmapping: new Map(), actiongroups: new Map(), tenants: new Map() };
  #compiled = new Map<string, CompiledRole>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: SecurityStore) {
    this.#store = store;
  }

  static async load(store: SecurityStore): Promise<SecurityDirectory> {
    const d = new SecurityDirectory(store);
    for (const u of await store.users.list()) d.#users.set(u.name, u);
    for (const kind of SECURITY_DOC_KINDS) {
      for (const [name, doc] of await store.docs.list(kind)) (d.#docs[kind] as Map<string, unknown>).set(name, doc);
    }
    return d;
  }

  user(name: string): UserRecord | undefined {
    return this.#users.get(name);
  }

  /** Every user, by name. */
  users(): UserRecord[] {
    return [...this.#users.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  isBuiltin(kind: SecurityDocKind, name: string): boolean {
    return Object.hasOwn(BUILTINS[kind], name);
  }

  doc<K extends SecurityDocKind>(kind: K, name: string): SecurityDocs[K] | undefined {
    const builtins = BUILTINS[kind] as Readonly<Record<string, SecurityDocs[K]>>;
    return Object.hasOwn(builtins, name) ? builtins[name] : this.#docs[kind].get(name);
  }

  /** Every document of a kind, built-in ones first, then by name; hidden ones included. */
  docs<K extends SecurityDocKind>(kind: K): Array<[string, SecurityDocs[K]]> {
    const builtins = Object.entries(BUILTINS[kind] as Readonly<Record<string, SecurityDocs[K]>>);
    const own = [...this.#docs[kind]].filter(([n]) => !Object.hasOwn(BUILTINS[kind], n)).sort(([a], [b]) => a.localeCompare(b));
    return [...builtins, ...own];
  }

  role(name: string): RoleRecord | undefined {
    return this.doc('roles', name);
  }

  actionGroup = (name: string): ActionGroupRecord | undefined => this.doc('actiongroups', name);

  /** The compiled form of a role (undefined for an unknown role). */
  compiled(name: string): CompiledRole | undefined {
    let c = this.#compiled.get(name);
    if (!c) {
      const r = this.role(name);
      if (!r) return undefined;
      c = compileRole(name, r, this.actionGroup);
      this.#compiled.set(name, c);
    }
    return c;
  }

  mappings(): Array<[string, SecurityDocs['rolesmapping']]> {
    return [...this.#docs.rolesmapping];
  }

  /**
   * Runs `fn` with every other change waiting: it reads the current state and returns the changes to
   * write (all or nothing), which are written to the store and then to memory.
   */
  change<T>(fn: () => Promise<{ changes: SecurityChange[]; result: T }>): Promise<T> {
    const run = this.#queue.then(async () => {
      const { changes, result } = await fn();
      await this.#write(changes);
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Writes `changes` (serialized with other changes). */
  write(changes: SecurityChange[]): Promise<void> {
    return this.change(async () => ({ changes, result: undefined }));
  }

  async #write(changes: SecurityChange[]): Promise<void> {
    if (!changes.length) return;
    await this.#store.apply(changes);
    for (const c of changes) {
      if (c.kind === 'users') {
        if (c.value) this.#users.set(c.name, c.value);
        else this.#users.delete(c.name);
      } else {
        const m = this.#docs[c.kind] as Map<string, unknown>;
        if (c.value) m.set(c.name, c.value);
        else m.delete(c.name);
      }
    }
    if (changes.some((c) => c.kind === 'roles' || c.kind === 'actiongroups')) this.#compiled = new Map();
  }
}
