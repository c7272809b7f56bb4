/**
 * The security part of the state store: users, roles, role mappings, action groups, tenants, API token
 * records, peppers, the audit log and the security/audit configuration documents. Async and SQL-free,
 * so that the same contract can be met by a store kept on the user's cluster. The documents are plain
 * data in the shape of the OpenSearch Security configuration files; what they mean (permissions, who
 * may do what) is the security module's business, never the store's.
 */

/** Reserved resources are read-only over REST; hidden ones are not listed and answer 404. */
export interface Flags {
  reserved?: boolean;
  hidden?: boolean;
}

/** An internal user. `hash` is never shown over REST. */
export interface UserRecord {
  name: string;
  /** A PHC string: `$argon2id$…` (set by Vigil) or `$2a$`/`$2b$`/`$2y$` bcrypt (imported); '' for a token-only user. */
  hash: string;
  /** Security roles given directly (`opendistro_security_roles`). */
  roles: string[];
  /** Backend roles, matched by role mappings. */
  backendRoles: string[];
  attributes: Record<string, string>;
  description?: string;
  reserved: boolean;
  hidden: boolean;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

/** One `index_permissions` entry. `clusters` (Vigil): cluster name patterns; absent means every cluster. */
export interface IndexPermission {
  index_patterns: string[];
  allowed_actions: string[];
  clusters?: string[];
}

/** One `tenant_permissions` entry. */
export interface TenantPermission {
  tenant_patterns: string[];
  allowed_actions: string[];
}

export interface RoleRecord extends Flags {
  cluster_permissions: string[];
  index_permissions: IndexPermission[];
  tenant_permissions: TenantPermission[];
  /** Endpoint (a route path or a prefix of one) → methods denied to this role. */
  endpoints_disabled?: Record<string, string[]>;
  description?: string;
}

export interface RoleMappingRecord extends Flags {
  users: string[];
  backend_roles: string[];
  and_backend_roles: string[];
  hosts: string[];
  description?: string;
}

export interface ActionGroupRecord extends Flags {
  allowed_actions: string[];
  type?: 'cluster' | 'tenant' | 'index';
  description?: string;
}

export interface TenantRecord extends Flags {
  description?: string;
  /** The role a watch of this tenant runs as. */
  run_as_role?: string;
}

/** The document kinds kept by name. */
export interface SecurityDocs {
  roles: RoleRecord;
  rolesmapping: RoleMappingRecord;
  actiongroups: ActionGroupRecord;
  tenants: TenantRecord;
}
export type SecurityDocKind = keyof SecurityDocs;
export const SECURITY_DOC_KINDS: readonly SecurityDocKind[] = ['roles', 'rolesmapping', 'actiongroups', 'tenants'];

/** One write of a batch: `value` null deletes. */
export type SecurityChange =
  | { kind: 'users'; name: string; value: UserRecord | null }
  | { [K in SecurityDocKind]: { kind: K; name: string; value: SecurityDocs[K] | null } }[SecurityDocKind];

/** An API token: only a keyed hash of it is kept. */
export interface TokenRecord {
  id: string;
  user: string;
  /** Keyed BLAKE2b of the token (32 bytes). */
  hash: Uint8Array;
  /** Which pepper made `hash`. */
  kid: string;
  name: string | null;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export type AuditOutcome = 'SUCCESS' | 'FAILED_LOGIN' | 'MISSING_PRIVILEGES' | 'BAD_REQUEST' | 'ERROR';

/** One audit row; it may stand for several like events (`count`). Never a credential. */
export interface AuditRecord {
  /** Epoch ms of the (first) event. */
  time: number;
  user: string | null;
  address: string;
  method: string;
  path: string;
  outcome: AuditOutcome;
  status: number;
  count: number;
  /** The audit category it was recorded under (absent on rows written before categories). */
  category?: string;
  /** The request body, redacted of secrets, when the audit configuration asks for bodies. */
  body?: string;
}

export interface AuditQuery {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
  user?: string;
  /** Default 100, at most 10 000. */
  size?: number;
}

/** Configuration documents kept whole: the authentication configuration and the audit configuration. */
export type SecurityConfigName = 'security' | 'audit';

export interface UserRecords {
  get(name: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  put(user: UserRecord): Promise<void>;
  /** Deleting a user deletes their token records too. */
  delete(name: string): Promise<boolean>;
}

export interface SecurityDocReader {
  list<K extends SecurityDocKind>(kind: K): Promise<Array<[string, SecurityDocs[K]]>>;
  get<K extends SecurityDocKind>(kind: K, name: string): Promise<SecurityDocs[K] | undefined>;
}

export interface TokenRecords {
  insert(t: TokenRecord): Promise<void>;
  byHash(hash: Uint8Array): Promise<TokenRecord | undefined>;
  get(id: string): Promise<TokenRecord | undefined>;
  /** Oldest first. */
  list(user?: string): Promise<TokenRecord[]>;
  touch(id: string, at: number): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** The pepper ids of the stored tokens. */
  kids(): Promise<string[]>;
}

/** Small named secrets (a local token pepper). */
export interface SecretRecords {
  get(name: string): Promise<Uint8Array | undefined>;
  /** Stores `value` unless `name` has one already; returns the value that is stored. */
  putIfAbsent(name: string, value: Uint8Array): Promise<Uint8Array>;
}

export interface AuditRecords {
  /** Appends rows; the store may drop the oldest rows beyond its cap. */
  append(records: AuditRecord[]): Promise<void>;
  /** Newest first. */
  query(q: AuditQuery): Promise<{ total: number; hits: AuditRecord[] }>;
}

export interface SecurityConfigRecords {
  get(name: SecurityConfigName): Promise<unknown>;
  put(name: SecurityConfigName, doc: unknown): Promise<void>;
}

export interface SecurityStore {
  readonly users: UserRecords;
  readonly docs: SecurityDocReader;
  /** Writes every change or none (a bulk PATCH, `vigil security apply`). */
  apply(changes: SecurityChange[]): Promise<void>;
  readonly tokens: TokenRecords;
  readonly secrets: SecretRecords;
  readonly audit: AuditRecords;
  readonly config: SecurityConfigRecords;
}
