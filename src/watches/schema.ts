import { z } from 'zod';
import { checkTypes } from '../checks/index.ts';
import { actionTypes } from '../actions/index.ts';
import { triggerSchema } from '../schedule/schema.ts';
import { parseThrottle } from '../schedule/duration.ts';
import { scriptLang, scriptSource } from '../checks/common.ts';
import type { CheckType } from '../checks/types.ts';
import type { ActionType } from '../actions/types.ts';

/**
 * The watch format, built from the check and action registries so a new type is one line in
 * its registry and nowhere else. Every object is strict: unknown fields are errors.
 */

/**
 * Watch ids, tenant names and account ids. The names JavaScript gives special meaning on objects are
 * refused too: they are valid file names, but an id must never be able to reach an object's prototype.
 */
export const ID_PATTERN = /^(?!(?:__proto__|constructor|prototype)$)[A-Za-z0-9_-]{1,128}$/;

export const LEVELS = ['info', 'warning', 'error', 'critical'] as const;
export type LevelId = (typeof LEVELS)[number];
/** `fatal` is accepted as `critical` (Signals). */
export const levelSchema = z
  .enum(['info', 'warning', 'error', 'critical', 'fatal'])
  .transform((l): LevelId => (l === 'fatal' ? 'critical' : l));

export const throttleSchema = z.string().superRefine((s, ctx) => {
  try {
    parseThrottle(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

function unionOf<T extends { type: string }>(kind: string, types: readonly T[], schemaOf: (t: T) => z.ZodType) {
  const names = types.flatMap((t) => [t.type, ...(((t as { aliases?: readonly string[] }).aliases) ?? [])]);
  const schemas = types.map(schemaOf);
  return z.discriminatedUnion('type', schemas as unknown as [z.ZodObject, ...z.ZodObject[]], {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `unknown ${kind} type ${JSON.stringify((iss.input as { type?: unknown })?.type)}; known: ${names.join(', ')}`
        : undefined,
  });
}

export const checkSchema = unionOf('check', checkTypes, (t: CheckType<any>) => t.schema);

export const severitySchema = z
  .object({
    value: scriptSource,
    lang: scriptLang,
    order: z.enum(['ascending', 'descending']).default('ascending'),
    mapping: z.array(z.object({ threshold: z.number(), level: levelSchema }).strict()).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const levels = new Set<string>();
    s.mapping.forEach((m, i) => {
      if (levels.has(m.level)) ctx.addIssue({ code: 'custom', path: ['mapping', i, 'level'], message: `level ${m.level} is mapped twice` });
      levels.add(m.level);
    });
  });

const commonActionShape = {
  name: z.string().min(1).max(256),
  account: z.string().regex(ID_PATTERN, 'account ids are [A-Za-z0-9_-]{1,128}').optional(),
  checks: z.array(checkSchema).optional(),
  foreach: scriptSource.optional(),
  foreach_lang: scriptLang,
  foreach_limit: z.number().int().min(1).max(10_000).default(100),
  ack_enabled: z.boolean().default(true),
};

/**
 * The cross-field rules of a type's params (its `superRefine`s: an email needs a body, addresses must
 * parse, ...). Spreading `params.shape` into the action's object takes the fields only, so the rules are
 * carried over here; they see the action object, whose fields include every param under its own name.
 */
function paramRules(a: ActionType): Array<z.core.$ZodCheck<Record<string, unknown>>> {
  // Typed for the params object; the action object is a superset of it, which is what the rules read.
  return (a.params.def.checks ?? []) as Array<z.core.$ZodCheck<Record<string, unknown>>>;
}

function actionSchemaOf(a: ActionType) {
  return z
    .object({
      type: z.literal(a.type),
      ...commonActionShape,
      throttle_period: throttleSchema.optional(),
      severity: z.array(levelSchema).min(1).optional(),
      ...a.params.shape,
    })
    .strict()
    .check(...paramRules(a));
}

function resolveActionSchemaOf(a: ActionType) {
  return z
    .object({
      type: z.literal(a.type),
      ...commonActionShape,
      resolves_severity: z.array(levelSchema).min(1).optional(),
      ...a.params.shape,
    })
    .strict()
    .check(...paramRules(a));
}

const ignored = z.unknown().optional();

export const watchSchema = z.preprocess(
  // `inputs` is the older Signals name of `checks`.
  (raw) => {
    if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'inputs' in raw && !('checks' in raw)) {
      const { inputs, ...rest } = raw as Record<string, unknown>;
      return { ...rest, checks: inputs };
    }
    return raw;
  },
  z
    .object({
      /** Signals accepts a watch without a trigger, like one whose trigger is `{}`: it runs only on demand. */
      trigger: triggerSchema.default({}),
      checks: z.array(checkSchema).default([]),
      severity: severitySchema.optional(),
      actions: z.array(unionOf('action', actionTypes, actionSchemaOf)).default([]),
      resolve_actions: z.array(unionOf('action', actionTypes, resolveActionSchemaOf)).default([]),
      throttle_period: throttleSchema.optional(),
      active: z.boolean().default(true),
      log_runtime_data: z.boolean().default(false),
      description: z.string().optional(),
      _meta: ignored,
      _ui: ignored,
      _id: ignored,
      _tenant: ignored,
      _name: ignored,
    })
    .strict()
    .superRefine((w, ctx) => {
      const seen = new Map<string, string>();
      const visit = (list: Array<{ name: string }>, key: string) =>
        list.forEach((a, i) => {
          const prev = seen.get(a.name);
          if (prev) ctx.addIssue({ code: 'custom', path: [key, i, 'name'], message: `action name '${a.name}' is already used by ${prev}` });
          seen.set(a.name, `${key}[${i}]`);
        });
      visit(w.actions as Array<{ name: string }>, 'actions');
      visit(w.resolve_actions as Array<{ name: string }>, 'resolve_actions');
      const needsSeverity = [...(w.actions as Array<{ severity?: unknown }>), ...(w.resolve_actions as Array<{ resolves_severity?: unknown }>)]
        .some((a) => ('severity' in a && a.severity) || ('resolves_severity' in a && a.resolves_severity));
      if (needsSeverity && !w.severity) {
        ctx.addIssue({ code: 'custom', path: ['severity'], message: 'actions refer to severity levels but the watch has no severity mapping' });
      }
    }),
);

export type WatchDef = z.output<typeof watchSchema>;
/** The common fields of an action after parsing, plus its type-specific params. */
export interface ActionDef {
  type: string;
  name: string;
  account?: string | undefined;
  checks?: Array<{ type: string }> | undefined;
  foreach?: string | undefined;
  foreach_lang?: 'painless' | 'cel' | undefined;
  foreach_limit: number;
  ack_enabled: boolean;
  throttle_period?: string | undefined;
  severity?: LevelId[] | undefined;
  resolves_severity?: LevelId[] | undefined;
  [param: string]: unknown;
}
