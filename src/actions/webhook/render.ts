/**
 * Compiles a webhook action with the shared request renderer. The rendered request is what will be sent,
 * minus the account's secret headers and credentials (joined at delivery) and minus the Idempotency-Key
 * (the delivery's key).
 */
import type { CompiledAction, RenderInfo, TemplateView } from '../types.ts';
import type { CompileEnv } from '../../checks/types.ts';
import { compileRequest, type RenderedRequest } from '../../request/render.ts';
import { redactUrl } from '../shared/redact.ts';
import type { WebhookParams } from './schema.ts';

/** Without `url`, the account URL is joined with `path` and `query` at delivery. */
export type WebhookRequest = RenderedRequest;

export function compileWebhook(p: WebhookParams, env: CompileEnv): CompiledAction {
  const request = compileRequest(p.request, p, env);
  return {
    render(view: TemplateView, info: RenderInfo) {
      const req = request.render(view, (paths) => info.reportMissing(paths));
      // Lower-cased so that at delivery the watch's headers replace the account's whatever their case,
      // and none can stand beside the Idempotency-Key under another spelling.
      req.headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const origin = req.url ? new URL(req.url).origin : undefined;
      return {
        kind: 'fire',
        request: req,
        summary: `webhook ${req.method} ${req.url ? redactUrl(req.url) : `(account url)${req.path ? ' +path' : ''}`}`,
        destination: origin ? `webhook:${origin}` : 'webhook',
      };
    },
  };
}
