/**
 * Tells a watch the REST API saved from one a person wrote, by its text alone: a SQLite installation
 * keeps both as files in the watches folder, and only the API writes the saver into the definition
 * (`_vigil.saved_by`), always in the same layout. The cluster keeps that distinction (`origin`), and a
 * daemon applying a watches folder to the cluster replaces only what came from a file.
 */
import { VIGIL_FIELD, withSavedBy, type SavedBy } from '../../watches/run-as.ts';

/**
 * The definition and its saver when `text` is exactly what the API writes for them (so writing them
 * again through the API gives the same text, and the same version); undefined otherwise.
 */
export function savedOverApi(text: string): { definition: Record<string, unknown>; savedBy: SavedBy } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || !isRecord(doc[VIGIL_FIELD])) return undefined;
  const { [VIGIL_FIELD]: vigil, ...definition } = doc;
  const savedBy = (vigil as Record<string, unknown>).saved_by;
  if (!isRecord(savedBy)) return undefined;
  const same = JSON.stringify(withSavedBy(definition, savedBy as unknown as SavedBy), null, 2) + '\n' === text;
  return same ? { definition, savedBy: savedBy as unknown as SavedBy } : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
