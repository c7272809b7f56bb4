/**
 * Attachments at send time: `runtime` ones were serialised at render time; `request` ones are fetched now
 * through the injected HttpClient (timeouts, size cap and egress policy live there), on every attempt.
 */
import { HttpError, type HttpClient } from '../../net/types.ts';
import { toHttpRequest } from '../../request/render.ts';
import type { EmailAttachment } from './request.ts';
import type { EmailFailure } from './classify.ts';

export interface MailAttachment {
  filename: string;
  content: string | Buffer;
  contentType?: string;
}

/** Resolves every attachment, or returns the failure that stops this attempt. */
export async function resolveAttachments(
  list: readonly EmailAttachment[],
  http: HttpClient,
  signal: AbortSignal,
): Promise<MailAttachment[] | EmailFailure> {
  const out: MailAttachment[] = [];
  for (const a of list) {
    if (a.source === 'runtime') {
      out.push({ filename: a.filename, content: a.content, contentType: a.contentType });
      continue;
    }
    const req = toHttpRequest(a.request, signal);
    // Only the origin goes into messages: a URL may carry a token in its path or query.
    const where = `attachment '${a.filename}' from ${safeOrigin(a.request.url)}`;
    try {
      const res = await http.request(req);
      if (res.status >= 400) {
        const retry = res.status >= 500 || res.status === 408 || res.status === 429;
        return { ok: false, retry, code: 'ATTACHMENT_FETCH_FAILED', message: `${where}: HTTP ${res.status}` };
      }
      if (res.truncated) {
        return { ok: false, retry: false, code: 'ATTACHMENT_TOO_LARGE', message: `${where}: response exceeds the size cap` };
      }
      const contentType = a.contentType ?? res.headers['content-type'];
      out.push({ filename: a.filename, content: res.body, ...(contentType ? { contentType } : {}) });
    } catch (e) {
      if (e instanceof HttpError) {
        const retry = e.kind !== 'egress_denied' && e.kind !== 'redirect_not_followed';
        return { ok: false, retry, code: e.kind === 'egress_denied' ? 'EGRESS_DENIED' : 'ATTACHMENT_FETCH_FAILED', message: `${where}: ${e.kind}` };
      }
      return { ok: false, retry: true, code: 'ATTACHMENT_FETCH_FAILED', message: `${where}: request failed` };
    }
  }
  return out;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
