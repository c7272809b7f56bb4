import { z } from 'zod';
import type { NodeRefs, Problem } from './types.ts';

/**
 * Names no check result can be kept under: every object already has them (Object.prototype's members:
 * `__proto__` would set the prototype of `data` and the result would vanish, `toString` would break
 * code that prints it) or the script engines drop them (`prototype`, `constructor`).
 */
export const RESERVED_TARGETS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Fields every check has. */
export const checkName = z.string().max(256).nullable().optional();
/**
 * Where a check's result goes in `data`. Omitted, `null` (what Signals writes when it exports or converts a
 * watch) and `_top` all mean the top level: the result replaces `data`.
 */
export const checkTarget = z
  .string()
  .min(1)
  .max(256)
  .superRefine((t, ctx) => {
    if (RESERVED_TARGETS.has(t)) {
      ctx.addIssue({ code: 'custom', message: `target "${t}" cannot hold a check result: objects reserve that name; choose another` });
    }
  })
  .nullable()
  .optional();
export const scriptLang = z.enum(['painless', 'cel']).optional();
/** A script source; empty scripts are refused rather than evaluated as null. */
export const scriptSource = z.string().min(1, 'script source must not be empty');
/** Timeout as a duration string (`30s`) or milliseconds. */
export const timeoutValue = z.union([z.string(), z.number().int().positive()]).optional();

/** The cluster used when a check or action names none. */
export const DEFAULT_CLUSTER = 'default';

/**
 * A reference check for a `cluster` field (`field`, the name written or undefined): the cluster must be
 * configured on this node. Nothing to say when the node does not know its clusters.
 */
export function clusterProblems(field: string, name: string | undefined, node: NodeRefs): Problem[] {
  if (!node.clusters) return [];
  const cluster = name ?? DEFAULT_CLUSTER;
  if (node.clusters.has(cluster)) return [];
  const configured = [...node.clusters].sort().join(', ') || '(none)';
  const which = name === undefined ? `no cluster is named here, and no cluster '${DEFAULT_CLUSTER}' is configured` : `no cluster '${cluster}' is configured`;
  return [[field, `${which}; configured: ${configured}`]];
}
