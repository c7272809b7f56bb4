/**
 * Index set-up at start: the fixed indices are created when missing, the time-based ones (execution
 * log, audit) get an index template so that each new day's or month's index is created with the right
 * mapping by its first write. Existing indices whose mapping is older are migrated forward in place
 * (new fields added, `_meta` updated); an index written by a newer Vigil stops the start, since this
 * version would not know what its documents mean. Several daemons may run this at once: a concurrent
 * create is `resource_already_exists_exception` (taken as success), and the migration is idempotent.
 */
import type { Logger } from 'pino';
import { VigilError } from '../../errors.ts';
import type { DocStoreClient } from '../../cluster/docstore-types.ts';
import { MAPPING_VERSION, mappingFor, mappingVersion, settingsFor, type IndexKind } from './mappings.ts';
import type { IndexNames } from './names.ts';

export interface SetupOptions {
  /** Settings added to the execution-log template (an ILM policy `index.lifecycle.name`, ISM's `plugins.index_state_management.policy_id`, replicas, …). */
  logIndexSettings?: Record<string, unknown>;
}

/** Template priority: above the products' built-in templates (100) so that ours applies to our names. */
const TEMPLATE_PRIORITY = 300;

export async function ensureIndices(ds: DocStoreClient, names: IndexNames, logger: Logger, o: SetupOptions = {}): Promise<void> {
  const fixed: Array<[string, IndexKind]> = [
    [names.state, 'state'],
    [names.outbox, 'outbox'],
    [names.kv, 'kv'],
    [names.security, 'security'],
    [names.watches, 'watches'],
    [names.accounts, 'accounts'],
    [names.nodes, 'nodes'],
  ];
  for (const [name, kind] of fixed) {
    if (await ds.createIndex(name, { settings: settingsFor(), mappings: mappingFor(kind) })) logger.info({ index: name }, 'state index created');
    else await migrate(ds, name, kind, logger);
  }
  const timed: Array<[string, IndexKind, Record<string, unknown> | undefined]> = [
    [names.logPattern, 'log', o.logIndexSettings],
    [names.auditPattern, 'audit', undefined],
  ];
  for (const [pattern, kind, extra] of timed) {
    // Put every start: a template only shapes indices created after it, so it must be current first.
    await ds.putIndexTemplate(pattern.slice(0, -2), {
      index_patterns: [pattern],
      priority: TEMPLATE_PRIORITY,
      template: { settings: settingsFor(extra), mappings: mappingFor(kind) },
      _meta: { vigil_mapping_version: MAPPING_VERSION, vigil_kind: kind },
    });
    await migrate(ds, pattern, kind, logger);
  }
}

/** Brings every index the name or pattern reaches to the current mapping version. */
async function migrate(ds: DocStoreClient, nameOrPattern: string, kind: IndexKind, logger: Logger): Promise<void> {
  const mappings = await ds.getMapping(nameOrPattern);
  for (const [index, mapping] of Object.entries(mappings)) {
    const version = mappingVersion(mapping);
    if (version > MAPPING_VERSION) {
      throw new VigilError('CONFIG_INVALID', `index [${index}] was written by a newer Vigil (mapping version ${version}, this one knows ${MAPPING_VERSION}); upgrade this daemon`);
    }
    if (version === MAPPING_VERSION) continue;
    const current = mappingFor(kind);
    try {
      await ds.putMapping(index, { _meta: current._meta, properties: current.properties });
    } catch (e) {
      // A field of another type (an index made by hand under our name) cannot be migrated in place.
      throw new VigilError('CONFIG_INVALID', `index [${index}] cannot be migrated to mapping version ${MAPPING_VERSION}: ${(e as Error).message}`, undefined, { cause: e });
    }
    logger.info({ index, from: version, to: MAPPING_VERSION }, 'state index mapping migrated');
  }
}
