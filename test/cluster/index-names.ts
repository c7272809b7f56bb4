/**
 * The rules on index names, and the wording index creation gives mapping errors.
 */
import { ClusterHttpError, httpError } from './errors.ts';

/** Index creation reports mapping errors as "Failed to parse mapping: …", as MetadataCreateIndexService does. */
export function prefixMappingError(e: unknown): unknown {
  if (!(e instanceof ClusterHttpError) || e.body.error.type !== 'mapper_parsing_exception') return e;
  const cause = { type: 'mapper_parsing_exception', reason: String(e.body.error.reason) };
  return httpError(400, 'mapper_parsing_exception', `Failed to parse mapping: ${cause.reason}`, { caused_by: cause });
}

export function validateIndexName(name: string): void {
  const bad = (why: string) => httpError(400, 'invalid_index_name_exception', `Invalid index name [${name}], ${why}`, { index_uuid: '_na_', index: name });
  if (name !== name.toLowerCase()) throw bad('must be lowercase');
  if (/[\\/*?"<>| ,#:]/.test(name)) throw bad('must not contain the following characters [\'\\\\\', \'/\', \'*\', \'?\', \'"\', \'<\', \'>\', \'|\', \' \', \',\']');
  if (name.startsWith('_') || name.startsWith('-') || name.startsWith('+')) throw bad("must not start with '_', '-', or '+'");
  if (name === '.' || name === '..') throw bad("must not be '.' or '..'");
  if (Buffer.byteLength(name) > 255) throw bad('index name is too long, (' + Buffer.byteLength(name) + ' > 255)');
}
