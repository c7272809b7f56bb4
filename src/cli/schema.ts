import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { builtinRegistry } from '../registry/builtin.ts';
import { jsonSchemaFiles } from '../watches/json-schema.ts';
import { parseCommand, processIo, type CliIo } from './args.ts';
import { SCHEMA } from './specs.ts';

/**
 * `vigil schema [--out DIR]`: the JSON Schemas of watch files and account documents, from the zod
 * schemas that validate them, with every built-in type (as `vigil validate` judges files: no node's
 * configuration, no disabled type).
 */
export async function schemaCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseCommand(SCHEMA, args, io);
  if (!parsed.ok) return parsed.code;
  const dir = resolve(parsed.values.out!);
  await mkdir(dir, { recursive: true });
  for (const [name, schema] of Object.entries(jsonSchemaFiles(builtinRegistry()))) {
    const file = join(dir, name);
    await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
    io.stdout(`${file}\n`);
  }
  return 0;
}
