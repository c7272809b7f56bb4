/**
 * The security store on the cluster (`<prefix>-security`): users, roles, role mappings, action groups,
 * tenants, tokens, peppers and the configuration documents, one document each, read back by realtime
 * GET; lists (rare: at start and for exports) make the index searchable first.
 *
 * `apply` must write every change or none, and the cluster has no multi-document transaction. So a
 * batch is first written whole as one journal document (`_apply:journal`, created only if absent),
 * then applied, then the journal is deleted. A crash in between leaves the journal, and the next apply
 * or the next start finishes it (every change is idempotent). A second apply meanwhile (another
 * daemon) finds the journal and finishes that batch before writing its own.
 */
import type { Clock } from '../../../clock.ts';
import { isVersionConflict, type BulkOp, type DocStoreClient } from '../../../cluster/docstore-types.ts';
import type {
  SecretRecords,
  SecurityChange,
  SecurityConfigRecords,
  SecurityDocKind,
  SecurityDocReader,
  SecurityDocs,
  SecurityStore,
  UserRecord,
  UserRecords,
} from '../../security-types.ts';
import type { BulkWriter } from '../bulk-writer.ts';
import type { MgetReader } from '../reader.ts';
import type { IndexNames } from '../names.ts';
import { ClusterAudit } from './audit.ts';
import { securityDocId, validateChanges, type SecuritySource } from './records.ts';
import { ClusterTokens } from './tokens.ts';

const JOURNAL_ID = securityDocId('_apply', 'journal');

export interface ClusterSecurityOptions {
  ds: DocStoreClient;
  names: IndexNames;
  writer: BulkWriter;
  reader: MgetReader;
  clock: Clock;
  auditRetentionDays?: number;
}

export class ClusterSecurityStore implements SecurityStore {
  readonly users: UserRecords;
  readonly docs: SecurityDocReader;
  readonly tokens: ClusterTokens;
  readonly secrets: SecretRecords;
  readonly audit: ClusterAudit;
  readonly config: SecurityConfigRecords;
  readonly #o: ClusterSecurityOptions;
  readonly #index: string;

  constructor(o: ClusterSecurityOptions) {
    this.#o = o;
    const index = (this.#index = o.names.security);
    const { writer, reader } = o;
    this.tokens = new ClusterTokens(o.ds, index, writer, reader);
    this.audit = new ClusterAudit(o.ds, o.names, writer, o.clock, o.auditRetentionDays);
    const read = async <B>(kind: string, name: string) => (await reader.get<SecuritySource<B>>(index, securityDocId(kind, name)))?.source.body;
    this.users = {
      get: (name) => read<UserRecord>('users', name),
      list: () => this.#list<UserRecord>('users').then((l) => l.map(([, u]) => u)),
      put: (u) => this.apply([{ kind: 'users', name: u.name, value: u }]),
      delete: async (name) => {
        const existed = (await read('users', name)) !== undefined;
        if (existed) await this.apply([{ kind: 'users', name, value: null }]);
        return existed;
      },
    };
    this.docs = {
      list: <K extends SecurityDocKind>(kind: K) => this.#list<SecurityDocs[K]>(kind),
      get: <K extends SecurityDocKind>(kind: K, name: string) => read<SecurityDocs[K]>(kind, name),
    };
    this.secrets = {
      get: async (name) => {
        const v = await read<{ value: string }>('secret', name);
        return v && new Uint8Array(Buffer.from(v.value, 'base64'));
      },
      putIfAbsent: async (name, value) => {
        const document = { kind: 'secret', name, body: { value: Buffer.from(value).toString('base64') } };
        const item = await writer.submit({ op: 'create', index, id: securityDocId('secret', name), document });
        if (!item.ok && !isVersionConflict(item.error)) throw item.error;
        return (await this.secrets.get(name))!;
      },
    };
    this.config = {
      get: async (name) => (await read<{ v: unknown }>('config', name))?.v,
      put: async (name, doc) => {
        const item = await writer.submit({ op: 'index', index, id: securityDocId('config', name), document: { kind: 'config', name, body: { v: doc } } });
        if (!item.ok) throw item.error;
      },
    };
  }

  async #list<B>(kind: string): Promise<Array<[string, B]>> {
    await this.#o.ds.refresh(this.#index);
    const out: Array<[string, B]> = [];
    for await (const d of this.#o.ds.scan<SecuritySource<B>>(this.#index, { term: { kind } }, [{ name: 'asc' }])) out.push([d.source.name, d.source.body]);
    return out;
  }

  async apply(changes: SecurityChange[]): Promise<void> {
    if (changes.length === 0) return;
    validateChanges(changes);
    return this.#o.writer.hold(this.#apply(changes));
  }

  async #apply(changes: SecurityChange[]): Promise<void> {
    const { writer } = this.#o;
    const journal = { kind: '_apply', name: 'journal', body: { changes } };
    for (;;) {
      const item = await writer.submit({ op: 'create', index: this.#index, id: JOURNAL_ID, document: journal as never });
      if (item.ok) {
        await this.#applyAll(changes);
        await this.#dropJournal(item.seqNo, item.primaryTerm);
        return;
      }
      if (!isVersionConflict(item.error)) throw item.error;
      await this.finishPending();
    }
  }

  /** Finishes a batch a crash (or another daemon, in flight) left in the journal. Idempotent. */
  async finishPending(): Promise<void> {
    const doc = await this.#o.ds.get<SecuritySource<{ changes: SecurityChange[] }>>(this.#index, JOURNAL_ID);
    if (!doc) return;
    await this.#applyAll(doc.source.body.changes);
    await this.#dropJournal(doc.seqNo, doc.primaryTerm);
  }

  async #dropJournal(seqNo: number, primaryTerm: number): Promise<void> {
    const item = await this.#o.writer.submit({ op: 'delete', index: this.#index, id: JOURNAL_ID, cas: { ifSeqNo: seqNo, ifPrimaryTerm: primaryTerm } });
    // Gone or replaced: whoever did that finished this batch first.
    if (!item.ok && item.status !== 404 && !isVersionConflict(item.error)) throw item.error;
  }

  async #applyAll(changes: SecurityChange[]): Promise<void> {
    const ops: BulkOp[] = changes.map((c) => {
      const id = securityDocId(c.kind, c.name);
      return c.value === null
        ? { op: 'delete', index: this.#index, id }
        : { op: 'index', index: this.#index, id, document: { kind: c.kind, name: c.name, body: c.value } as never };
    });
    const items = await Promise.all(ops.map((op) => this.#o.writer.submit(op)));
    for (const item of items) if (!item.ok && item.status !== 404) throw item.error;
    for (const c of changes) if (c.kind === 'users' && c.value === null) await this.tokens.deleteForUser(c.name);
  }
}
