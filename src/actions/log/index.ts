import { z } from 'zod';
import type { ActionType } from '../types.ts';

const params = z
  .object({
    text: z.string().min(1),
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .strict();

type LogParams = z.infer<typeof params>;

/**
 * Vigil's debugging action (like Watcher's logging action): writes the rendered text to the daemon log.
 * It needs no account and cannot fail remotely, which makes it the action of the example watches.
 */
export const logAction: ActionType<LogParams> = {
  type: 'log',
  params,
  compile(p, env) {
    const text = env.template(p.text, 'plain');
    return {
      render(view, info) {
        const out = text.render(view);
        if (out.missing.length) info.reportMissing(out.missing);
        return { kind: 'fire', request: { level: p.level, text: out.text }, summary: out.text.slice(0, 200), destination: 'log' };
      },
    };
  },
  async deliver(n, deps) {
    const { level, text } = n.request as { level: LogParams['level']; text: string };
    deps.logger[level]({ event: 'watch_log_action' }, text);
    return { ok: true };
  },
  conformance: { params: () => ({ text: 'hello {{data.x}}' }), overHttp: false },
};
