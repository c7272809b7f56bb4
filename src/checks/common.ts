import { z } from 'zod';

/** Fields every check has (SPEC §1.2). */
export const checkName = z.string().max(256).nullable().optional();
/**
 * Where a check's result goes in `data`. Omitted, `null` (what Signals writes when it exports or converts a
 * watch) and `_top` all mean the top level: the result replaces `data`.
 */
export const checkTarget = z.string().min(1).max(256).nullable().optional();
export const scriptLang = z.enum(['painless', 'cel']).optional();
/** A script source; empty scripts are refused rather than evaluated as null. */
export const scriptSource = z.string().min(1, 'script source must not be empty');
/** Timeout as a duration string (`30s`) or milliseconds. */
export const timeoutValue = z.union([z.string(), z.number().int().positive()]).optional();
