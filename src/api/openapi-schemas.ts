/**
 * The schema part of the OpenAPI document: zod schemas turned into JSON Schema (draft 2020-12, which
 * OpenAPI 3.1 uses as it is), every schema named with `component()` kept once under
 * `components.schemas` and referred to from where it is used.
 */
import { z } from 'zod';
import { componentName } from './route-schema.ts';

export type JsonSchema = { [key: string]: unknown };

const COMPONENTS = '#/components/schemas/';

/**
 * What zod's converter asks of a metadata registry: the metadata of a schema. Names given with
 * `component()` become ids (zod extracts a schema with an id into `$defs`), descriptions given with
 * `.describe()` stay.
 */
const metadata = {
  get(schema: z.core.$ZodType) {
    const name = componentName(schema as z.ZodType);
    const base = z.globalRegistry.get(schema);
    return name === undefined ? base : { ...base, id: name };
  },
} as unknown as z.core.$ZodRegistry<{ id?: string }>;

/** Rewrites every `#/$defs/<name>` reference of a converted schema to the components section. */
function relink(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relink);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) out[k] = COMPONENTS + v.slice('#/$defs/'.length);
    else if (k === 'id' && typeof v === 'string') continue; // zod's copy of the name; the component's key says it
    else out[k] = relink(v);
  }
  return out;
}

/** Collects the components of one document while its operations are built. */
export class SchemaSet {
  readonly components: Record<string, JsonSchema> = {};

  /**
   * The JSON Schema of `schema` for this document (`io`: `input` for what a client sends, where a field
   * with a default may be left out; `output` for what the API answers): a `$ref` when it is named, else
   * inline. Checks JSON Schema cannot express (refinements, transforms) are left out.
   */
  of(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', metadata }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = converted;
    for (const [name, def] of Object.entries(($defs as Record<string, JsonSchema> | undefined) ?? {})) this.#add(name, relink(def) as JsonSchema);
    return relink(root) as JsonSchema;
  }

  /** Adds a component written by hand (shared parameters and answers). */
  add(name: string, schema: JsonSchema): JsonSchema {
    this.#add(name, schema);
    return { $ref: COMPONENTS + name };
  }

  #add(name: string, def: JsonSchema): void {
    const existing = this.components[name];
    // The same name for two different shapes would make one of them lie.
    if (existing && JSON.stringify(existing) !== JSON.stringify(def)) throw new Error(`two different schemas are named ${name} in the OpenAPI document`);
    this.components[name] = def;
  }
}
