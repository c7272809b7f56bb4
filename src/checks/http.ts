import { z } from 'zod';
import { applyTarget, type CheckType } from './types.ts';
import { checkName, checkTarget } from './common.ts';
import { compileHttpRequest, httpOptionsShape, httpRequestSchema } from './http-request.ts';
import { VigilError } from '../errors.ts';
import { redactUrl } from '../net/redact.ts';

const schema = z
  .object({
    type: z.literal('http'),
    name: checkName,
    target: checkTarget,
    request: httpRequestSchema,
    ...httpOptionsShape,
  })
  .strict();

type HttpDef = z.infer<typeof schema>;

/** Calls an HTTP endpoint; its JSON (or text) response goes to `target`. */
export const httpCheck: CheckType<HttpDef> = {
  type: 'http',
  schema,
  compile(def, env) {
    const request = compileHttpRequest(def.request, def, env);
    return {
      type: 'http',
      name: def.name ?? null,
      async run(ctx, rt) {
        const req = request.render(ctx as unknown as Record<string, unknown>, rt.reportMissing);
        req.signal = rt.signal;
        const res = await rt.http.request(req);
        if (res.status >= 300) {
          throw new VigilError('HTTP_INPUT_FAILED', `HTTP ${res.status} from ${redactUrl(req.url)}`);
        }
        let value: unknown = res.body;
        const type = res.headers['content-type'] ?? '';
        if (type.includes('json') || /^\s*[[{]/.test(res.body)) {
          try {
            value = JSON.parse(res.body);
          } catch {
            // Not JSON after all: keep the text.
          }
        }
        applyTarget(ctx, def.target, value);
        return 'continue';
      },
    };
  },
};
