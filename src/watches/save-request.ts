/**
 * A watch as a request gives it (PUT, inline execution): who saves it is Vigil's to record, never the
 * request's, so a body that sets `_vigil` itself (it would choose the roles the watch runs as) is
 * refused at that field; the saver is then added to what is compiled and stored.
 */
import { VigilError } from '../errors.ts';
import { errorSummary } from './loader.ts';
import { VIGIL_FIELD, withSavedBy, type SavedBy } from './run-as.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The document to compile for a watch a request gives, saved by `savedBy` (none: it runs as its
 * tenant's role). Throws INVALID_WATCH at `_vigil` when the request sets that field.
 */
export function requestedWatch(body: unknown, savedBy: SavedBy | null): unknown {
  if (!isObject(body)) return body;
  if (Object.hasOwn(body, VIGIL_FIELD)) {
    const detail = { [VIGIL_FIELD]: [{ error: 'recorded by Vigil when a watch is saved (who saved it); not accepted in a request' }] };
    throw new VigilError('INVALID_WATCH', errorSummary(detail), detail);
  }
  return savedBy ? withSavedBy(body, savedBy) : body;
}
