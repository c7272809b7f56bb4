/**
 * The mappings of the indices the cluster backend owns. Strict where the shape is Vigil's (a field
 * nobody declared is refused loudly instead of being mapped by guess); payloads Vigil only stores and
 * reads back whole (a watch state, a notification, a run's data) are `enabled: false` objects, kept in
 * `_source` and never parsed. Each mapping carries `_meta.vigil_mapping_version`: a start migrates an
 * older index forward (mappings only ever gain fields, which an existing index accepts) and refuses
 * one written by a newer Vigil.
 */

/** Bumped whenever any mapping below gains a field. */
export const MAPPING_VERSION = 3;

const keyword = { type: 'keyword' } as const;
const long = { type: 'long' } as const;
const date = { type: 'date' } as const;
const bool = { type: 'boolean' } as const;
const opaque = { type: 'object', enabled: false } as const;
/** Text kept for reading, not searched. */
const stored = { type: 'text', index: false } as const;

export type IndexKind = 'state' | 'outbox' | 'kv' | 'security' | 'log' | 'audit' | 'watches' | 'accounts' | 'nodes';

const PROPERTIES: Record<IndexKind, Record<string, unknown>> = {
  state: {
    tenant: keyword,
    watch_id: keyword,
    state: opaque,
    /** Searchable copy of `state.active_override` (set only when it is a boolean). */
    active_override: bool,
    /** Deliveries decided by the write that carries them and not yet known to be in the outbox. */
    handoff: opaque,
    has_handoff: bool,
    /** The scheduled time of the last run (epoch ms): a run claims its time by raising it. */
    last_scheduled_time: long,
    node: keyword,
    write_id: keyword,
    updated_at: long,
  },
  outbox: {
    key: keyword,
    tenant: keyword,
    watch_id: keyword,
    action: keyword,
    action_type: keyword,
    account_id: keyword,
    episode_key: keyword,
    notification: opaque,
    status: keyword,
    attempts: long,
    created_at: long,
    deadline: long,
    /** The retry window as decided (ms), kept once the deadline moves on. */
    window_ms: long,
    next_attempt_at: long,
    last_error: stored,
    finished_at: long,
    /** Delivery order within the watch. */
    seq: long,
    /** Which daemon delivers it, until when (several daemons). */
    claim: { type: 'object', properties: { node: keyword, until: long } },
    /** The state write that decided it (tells our own earlier attempt from an older entry). */
    commit_id: keyword,
  },
  kv: { value: opaque, updated_at: long },
  /** Watch definitions (the watch repository of the cluster backend); deleted ones stay as tombstones a while. */
  watches: {
    tenant: keyword,
    watch_id: keyword,
    /** The definition's JSON text as stored. */
    source: stored,
    /** A hash of `source`. */
    version: keyword,
    /** `file` (applied from a watches folder) or `api`. */
    origin: keyword,
    /** The hash of the file last applied to this watch (kept when the API changes it). */
    file_version: keyword,
    /** The daemon (node name) or tool that wrote this version. */
    written_by: keyword,
    /** Who saved it over the API (user, roles), as the API records it. */
    saved_by: opaque,
    deleted: bool,
    updated_at: long,
  },
  /** Daemons' heartbeats (membership.ts): live while `until` is ahead. */
  nodes: {
    node: keyword,
    /** Tells a restarted process of the same name from its predecessor. */
    instance: keyword,
    started_at: long,
    heartbeat_at: long,
    until: long,
    /** What the daemon reports of itself (owned watches, lag, …), read back whole. */
    stats: opaque,
  },
  /** Sealed account documents by (type, id), and the key-check record. */
  accounts: {
    type: keyword,
    account_id: keyword,
    doc: opaque,
    /** The store's own records (the key check), by id. */
    record: opaque,
    updated_at: long,
  },
  security: {
    kind: keyword,
    name: keyword,
    user: keyword,
    kid: keyword,
    created_at: long,
    body: opaque,
  },
  log: {
    id: keyword,
    tenant: keyword,
    watch_id: keyword,
    watch_version: keyword,
    status: { type: 'object', properties: { code: keyword, severity: keyword } },
    execution_start: date,
    execution_end: date,
    scheduled_time: date,
    node: keyword,
    /** Order of appends with the same end time. */
    seq: long,
    /** Names of the run's actions and resolve actions (version 2: records written before have none). */
    actions: keyword,
    record: opaque,
  },
  audit: {
    time: long,
    user: keyword,
    address: keyword,
    method: keyword,
    path: keyword,
    outcome: keyword,
    status: long,
    count: long,
    category: keyword,
    body: stored,
    seq: long,
  },
};

export function mappingFor(kind: IndexKind): Record<string, unknown> {
  return { dynamic: 'strict', _meta: { vigil_mapping_version: MAPPING_VERSION, vigil_kind: kind }, properties: PROPERTIES[kind] };
}

/** Settings of every Vigil index: hidden (left out of `*` searches and Kibana pickers). */
export function settingsFor(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { index: { hidden: true, ...extra } };
}

/** The version an index's mapping carries (0 when it carries none: made before versions, or by hand). */
export function mappingVersion(mapping: Record<string, unknown>): number {
  const v = (mapping._meta as { vigil_mapping_version?: unknown } | undefined)?.vigil_mapping_version;
  return typeof v === 'number' && Number.isInteger(v) ? v : 0;
}
