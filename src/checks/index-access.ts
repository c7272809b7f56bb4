/**
 * The index names a search or a write targets, and the question put to the watch's identity
 * (`IndexAccess`) before the call: each target as the cluster will see it (a comma-separated list split,
 * date math resolved), so what is checked is what is called. Also the load-time form of the same
 * question, for the names a watch writes literally.
 */
import { VigilError } from '../errors.ts';
import { resolveIndexName } from './date-math.ts';
import type { IndexAccess, IndexActionName, NodeRefs, Problem } from './types.ts';

export const SEARCH_ACTION: IndexActionName = 'indices:data/read/search';
export const WRITE_ACTION: IndexActionName = 'indices:data/write/index';

/** `remote:name`: cross-cluster search through the configured cluster. The name may carry date math. */
const REMOTE = /^([^<>:,]+):(.*)$/s;

/** One target with its date math resolved; a `remote:` prefix is kept as written. */
function resolveTarget(target: string, now: number): string {
  const t = target.trim();
  const remote = REMOTE.exec(t);
  return remote ? `${remote[1]}:${resolveIndexName(remote[2]!, now)}` : resolveIndexName(t, now);
}

/** The targets of `indices` as the call sends them: comma-separated lists split, date math resolved at `now`. */
export function indexTargets(indices: readonly string[], now: number): string[] {
  return indices.flatMap((entry) => entry.split(',')).map((t) => resolveTarget(t, now));
}

/**
 * Why the call may not touch `target`, the target at `position` of its call, or null when it may.
 *
 * - `_all` and an empty name select every index: they are asked about as `*`.
 * - An exclusion (`-name`) after the first target only narrows what the others select: it needs no
 *   permission. A first target starting with `-` is asked about as written.
 * - `remote:name` (cross-cluster search) reaches another cluster through this one: it is asked about as
 *   written, so only an index pattern that covers it (`*`, or one written for it such as `remote:logs-*`)
 *   allows it.
 */
function targetDenied(access: IndexAccess, cluster: string, target: string, position: number, action: IndexActionName): string | null {
  if (position > 0 && target.startsWith('-')) return null;
  return access.denied(cluster, target === '' || target === '_all' ? '*' : target, action);
}

/** Why the call may not touch `targets` (from `indexTargets`), or null when every one is allowed. */
export function accessDenied(access: IndexAccess, cluster: string, targets: readonly string[], action: IndexActionName): string | null {
  for (const [i, target] of targets.entries()) {
    const denial = targetDenied(access, cluster, target, i, action);
    if (denial) return denial;
  }
  return null;
}

/** Throws VigilError INDEX_FORBIDDEN (the message names cluster, index, action and roles) unless every target is allowed. */
export function assertIndexAccess(access: IndexAccess, cluster: string, targets: readonly string[], action: IndexActionName): void {
  const denial = accessDenied(access, cluster, targets, action);
  if (denial) throw new VigilError('INDEX_FORBIDDEN', denial);
}

/**
 * Load time: the problems of the index names written without a template (`indices[i]`, reported at
 * `field(i)`), checked as they would be called now. Names with a template are checked when they are
 * rendered, at each call. Nothing to say when the node does not know who the watch runs as.
 */
export function literalIndexProblems(
  field: (i: number) => string,
  cluster: string,
  indices: readonly string[],
  action: IndexActionName,
  node: NodeRefs,
): Problem[] {
  if (!node.identity) return [];
  const { access, now } = node.identity;
  const out: Problem[] = [];
  let position = 0;
  indices.forEach((entry, i) => {
    const targets = entry.split(',');
    if (!entry.includes('{{')) {
      for (const [j, target] of targets.entries()) {
        const denial = targetDenied(access, cluster, resolveTarget(target, now), position + j, action);
        if (denial) {
          out.push([field(i), denial]);
          break;
        }
      }
    }
    position += targets.length;
  });
  return out;
}
