import { z } from 'zod';
import { applyTarget, type CheckType } from './types.ts';
import { checkName, checkTarget } from './common.ts';

const schema = z
  .object({
    type: z.literal('static'),
    name: checkName,
    target: checkTarget,
    value: z.record(z.string(), z.unknown()),
  })
  .strict();

type StaticDef = z.infer<typeof schema>;

/** Puts constant data into the run. */
export const staticCheck: CheckType<StaticDef> = {
  type: 'static',
  schema,
  compile(def) {
    // Serialised once: every run gets its own copy, so a calc script cannot change the next run's constants.
    const json = JSON.stringify(def.value);
    return {
      type: 'static',
      name: def.name ?? null,
      async run(ctx) {
        applyTarget(ctx, def.target, JSON.parse(json));
        return 'continue';
      },
    };
  },
  conformance: { valid: { type: 'static', name: 'constants', target: 'limits', value: { max: 10 } } },
};
