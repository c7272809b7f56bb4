import { z } from 'zod';
import { applyTarget, isPlainObject, type CheckType } from './types.ts';
import { checkName, checkTarget, scriptLang, scriptSource } from './common.ts';
import { ScriptRuntimeError } from '../script/types.ts';
import { yieldPoint } from '../budget/turns.ts';

const conditionSchema = z
  .object({
    type: z.enum(['condition', 'condition.script']),
    name: checkName,
    source: scriptSource,
    lang: scriptLang,
  })
  .strict();

/** A false condition stops the watch (or, inside an action, skips the action). */
export const conditionCheck: CheckType<z.infer<typeof conditionSchema>> = {
  type: 'condition',
  aliases: ['condition.script'],
  schema: conditionSchema,
  compile(def, env) {
    const script = env.script(def.source, def.lang);
    return {
      type: 'condition',
      name: def.name ?? null,
      async run(ctx) {
        await yieldPoint();
        const result = script.run(ctx);
        if (typeof result !== 'boolean') {
          throw new ScriptRuntimeError(`condition must return a boolean, got ${result === null ? 'null' : typeof result}`);
        }
        return result ? 'continue' : 'stop';
      },
    };
  },
  conformance: { valid: { type: 'condition', name: 'many', source: 'data.n > 10' } },
};

const transformSchema = z
  .object({
    type: z.literal('transform'),
    name: checkName,
    source: scriptSource,
    lang: scriptLang,
    target: checkTarget,
  })
  .strict();

/** The script's value replaces `target` (or all of `data`). */
export const transformCheck: CheckType<z.infer<typeof transformSchema>> = {
  type: 'transform',
  schema: transformSchema,
  compile(def, env) {
    const script = env.script(def.source, def.lang);
    return {
      type: 'transform',
      name: def.name ?? null,
      async run(ctx) {
        await yieldPoint();
        applyTarget(ctx, def.target, script.run(ctx));
        return 'continue';
      },
    };
  },
  conformance: { valid: { type: 'transform', name: 'count', target: 'count', source: 'return data.hits.size()' } },
};

const calcSchema = z
  .object({
    type: z.literal('calc'),
    name: checkName,
    source: scriptSource,
    lang: scriptLang,
  })
  .strict();

/** The script changes `data` in place; its value is ignored. */
export const calcCheck: CheckType<z.infer<typeof calcSchema>> = {
  type: 'calc',
  schema: calcSchema,
  compile(def, env) {
    const script = env.script(def.source, def.lang);
    return {
      type: 'calc',
      name: def.name ?? null,
      async run(ctx) {
        await yieldPoint();
        const result = script.run(ctx);
        // CEL cannot assign: a CEL calc returns a map whose entries are merged into `data` instead.
        if (def.lang === 'cel') {
          if (!isPlainObject(result)) throw new ScriptRuntimeError('a CEL calc must return a map of values to merge into data');
          // Entry by entry: Object.assign would take a `__proto__` entry as the prototype, not as a key.
          for (const [k, v] of Object.entries(result)) Object.defineProperty(ctx.data, k, { value: v, writable: true, enumerable: true, configurable: true });
        }
        return 'continue';
      },
    };
  },
  conformance: { valid: { type: 'calc', name: 'ratio', source: 'data.ratio = data.errors / data.total' } },
};
