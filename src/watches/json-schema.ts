/**
 * The JSON Schemas of the documents a user writes: watch files and account documents. They are
 * generated from the zod schemas that validate those documents (zod's `toJSONSchema`), so an editor's
 * completion and Vigil's validation cannot disagree about which fields exist. What a JSON Schema cannot
 * say (a script that must compile, a duration that must parse, cross-field rules) is still checked by
 * Vigil when it loads the document; the JSON Schema is the shape.
 */
import { z } from 'zod';
import { DOCUMENT_KEYS } from '../accounts/account-doc.ts';
import { commonSchema } from '../accounts/common-fields.ts';
import { tenantsSchema, TENANTS_FIELD } from '../accounts/tenants.ts';
import type { AccountTypeEntry, TypeRegistry } from '../registry/registry.ts';
import { watchSchemaFor } from './schema.ts';

/** A JSON Schema (draft 2020-12) document, as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * One zod schema as a JSON Schema of what a document may contain (`io: 'input'`: a field with a default
 * may be left out). Checks JSON Schema cannot express (refinements, transforms) are left out rather
 * than failing the conversion: Vigil still applies them.
 */
export function toJsonSchema(schema: z.ZodType, ids?: z.core.$ZodRegistry<{ id?: string }>): JsonSchema {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', ...(ids ? { metadata: ids } : {}) }) as JsonSchema;
}

/**
 * The JSON Schema of a watch file, with the check and action types of `registry`. Each check type is
 * defined once under `$defs` (`check-<type>`) and referred to from the watch's checks and from every
 * action's: written out in each place, the schema would be several times larger.
 */
export function watchJsonSchema(registry: TypeRegistry): JsonSchema {
  const ids = z.registry<{ id?: string }>();
  for (const c of registry.checks) ids.add(c.schema, { id: `check-${c.type}` });
  const { $schema: _dialect, ...body } = toJsonSchema(watchSchemaFor(registry), ids);
  const properties = { ...(body.properties as Record<string, JsonSchema>) };
  // `inputs` is renamed to `checks` before the zod schema sees it, so the conversion cannot know of it.
  properties.inputs = { ...properties.checks, description: 'The older Signals name of `checks`.', deprecated: true };
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: 'Vigil watch',
    description: 'A watch file (Search Guard Signals format): watches/<id>.json, or watches/<tenant>/<id>.json.',
    ...body,
    properties,
  };
}

/**
 * The JSON Schema of an account document of one account type, an action type's own or a linked one (the
 * body of `PUT /_signals/account/<type>/<id>`): its fields, secrets included, the fields every account
 * has (`name`, `description`, `enabled`, `tenants`), and the document fields every account accepts and
 * drops (`$schema`, and Signals' export fields `type` and `_name`).
 */
export function accountJsonSchema(entry: Pick<AccountTypeEntry, 'type' | 'manifest'>): JsonSchema {
  const type = entry.type;
  const { $schema: _dialect, ...body } = toJsonSchema(entry.manifest.schema);
  const document: Record<(typeof DOCUMENT_KEYS)[number], JsonSchema> = {
    $schema: { type: 'string', description: 'The JSON Schema this document follows (for editors); dropped.' },
    type: { const: type, description: 'Signals export field: the account type; dropped.' },
    _name: { type: 'string', description: 'Signals export field: the account id; dropped.' },
  };
  const common = toJsonSchema(commonSchema).properties as Record<string, JsonSchema>;
  const { $schema: _tenantsDialect, ...tenantsBody } = toJsonSchema(tenantsSchema);
  const tenants = { ...tenantsBody, description: 'The tenants whose watches may use the account; absent: every tenant.' };
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: `Vigil ${type} account`,
    description: `An account of type ${type}: the body of PUT /_signals/account/${type}/<id>.`,
    ...body,
    properties: { ...document, ...common, [TENANTS_FIELD]: tenants, ...(body.properties as Record<string, JsonSchema>) },
  };
}

/** Every JSON Schema file `vigil schema` writes, by file name: the watch's and one per account type, linked ones included. */
export function jsonSchemaFiles(registry: TypeRegistry): Record<string, JsonSchema> {
  const files: Record<string, JsonSchema> = { 'watch.schema.json': watchJsonSchema(registry) };
  for (const e of [...registry.accounts].sort((a, b) => a.type.localeCompare(b.type))) files[`account-${e.type}.schema.json`] = accountJsonSchema(e);
  return files;
}
