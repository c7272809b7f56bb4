import { z } from 'zod';
import { triggerSchema } from '../schedule/schema.ts';
import { parseThrottle } from '../schedule/duration.ts';
import { scriptLang, scriptSource } from '../checks/common.ts';
import type { CheckType } from '../checks/types.ts';
import type { ActionType, COMMON_ACTION_FIELDS } from '../actions/types.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import { ACCOUNT_REF_PATTERN } from '../actions/shared/account-ref.ts';

/**
 * The watch format, built from the type registry so a new type is one line in its list and
 * nowhere else. Every object is strict: unknown fields are errors.
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

/**
 * The fields every action has besides `type`; their names are `COMMON_ACTION_FIELDS`, which the registry
 * keeps a type's params from shadowing (the `satisfies` below keeps the two lists the same).
 */
function commonActionShape(checkSchema: z.ZodType) {
  return {
    name: z.string().min(1).max(256),
    account: z.string().regex(ACCOUNT_REF_PATTERN, 'account ids are [A-Za-z0-9_-]{1,128}, optionally after an account type and a colon (ses:alerts)').optional(),
    checks: z.array(checkSchema).optional(),
    foreach: scriptSource.optional(),
    foreach_lang: scriptLang,
    foreach_limit: z.number().int().min(1).max(10_000).default(100),
    ack_enabled: z.boolean().default(true),
    throttle_period: throttleSchema.optional(),
    severity: z.array(levelSchema).min(1).optional(),
    resolves_severity: z.array(levelSchema).min(1).optional(),
  } satisfies Record<Exclude<(typeof COMMON_ACTION_FIELDS)[number], 'type'>, z.ZodType>;
}

/**
 * The cross-field rules of a type's params (its `superRefine`s: an email needs a body, addresses must
 * parse, ...). Spreading `params.shape` into the action's object takes the fields only, so the rules are
 * carried over here; they see the action object, whose fields include every param under its own name.
 */
function paramRules(a: ActionType): Array<z.core.$ZodCheck<Record<string, unknown>>> {
  // Typed for the params object; the action object is a superset of it, which is what the rules read.
  return (a.params.def.checks ?? []) as Array<z.core.$ZodCheck<Record<string, unknown>>>;
}

/** One action object: the common fields (those of `kind` only) and the type's params. */
function actionSchemaOf(a: ActionType, common: ReturnType<typeof commonActionShape>, kind: 'actions' | 'resolve_actions') {
  const { throttle_period, severity, resolves_severity, ...shared } = common;
  const own = kind === 'actions' ? { throttle_period, severity } : { resolves_severity };
  return z
    .object({ ...shared, ...own, type: z.literal(a.type), ...a.params.shape })
    .strict()
    .check(...paramRules(a));
}

const ignored = z.unknown().optional();

function buildWatchSchema(registry: TypeRegistry) {
  const checkSchema = unionOf('check', registry.checks, (t: CheckType<any>) => t.schema);
  const common = commonActionShape(checkSchema);
  return z.preprocess(
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
        actions: z.array(unionOf('action', registry.actions, (a) => actionSchemaOf(a, common, 'actions'))).default([]),
        resolve_actions: z.array(unionOf('action', registry.actions, (a) => actionSchemaOf(a, common, 'resolve_actions'))).default([]),
        throttle_period: throttleSchema.optional(),
        active: z.boolean().default(true),
        log_runtime_data: z.boolean().default(false),
        description: z.string().optional(),
        /** The JSON Schema an editor completes the file from (`vigil schema`); never interpreted. */
        $schema: z.string().optional(),
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
}

type WatchSchema = ReturnType<typeof buildWatchSchema>;
const schemas = new WeakMap<TypeRegistry, WatchSchema>();

/** The watch schema of a registry's types; built on first use and kept as long as the registry. */
export function watchSchemaFor(registry: TypeRegistry): WatchSchema {
  let schema = schemas.get(registry);
  if (!schema) schemas.set(registry, (schema = buildWatchSchema(registry)));
  return schema;
}

export type WatchDef = z.output<WatchSchema>;
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
