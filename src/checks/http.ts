import { z } from 'zod';
import { applyTarget, type CheckType } from './types.ts';
import { checkName, checkTarget } from './common.ts';
import { connectionShape, requestSchema } from '../request/schema.ts';
import { compileRequest, toHttpRequest } from '../request/render.ts';
import { VigilError } from '../errors.ts';
import { redactUrl } from '../net/redact.ts';

const schema = z
  .object({
    type: z.literal('http'),
    name: checkName,
    target: checkTarget,
    request: requestSchema,
    ...connectionShape,
  })
  .strict();

type HttpDef = z.infer<typeof schema>;

/** Calls an HTTP endpoint; its JSON (or text) response goes to `target`. */
export const httpCheck: CheckType<HttpDef> = {
  type: 'http',
  schema,
  compile(def, env) {
    const request = compileRequest(def.request, def, env);
    return {
      type: 'http',
      name: def.name ?? null,
      async run(ctx, rt) {
        const rendered = request.render(ctx, rt.reportMissing);
        // The check's definition requires a URL, so the rendered request always has one.
        const req = toHttpRequest({ ...rendered, url: rendered.url! }, rt.signal);
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
  conformance: { valid: { type: 'http', name: 'queue', target: 'status', request: { url: 'https://status.example.com/queue', headers: { Accept: 'application/json' } }, read_timeout: 5 } },
};
