/**
 * compile(params, env): every template is compiled once, at load, with the escape mode of where its
 * text goes: `header` for the subject and addresses (a rendered CR/LF is an error, never a
 * header injection), `html` for html_body and for markdown_body's HTML part, `plain` for text.
 */
import type { CompileEnv } from '../../checks/types.ts';
import { VigilError, errorMessage, type ErrorDetail } from '../../errors.ts';
import type { CompiledTemplate, EscapeMode } from '../../templates/types.ts';
import type { CompiledAction, RenderInfo, RenderedNotification, TemplateView } from '../types.ts';
import { formatMailbox, parseAddresses } from './addresses.ts';
import { markdownToHtml } from './markdown.ts';
import { ADDRESS_FIELDS, RECIPIENT_FIELDS, type AddressField, type EmailParams } from './params.ts';
import { groupIds } from './groups.ts';
import type { EmailAttachment, EmailRequest } from './request.ts';
import { compileRequest, type CompiledRequest } from '../../request/render.ts';

/** View keys serialised into a `runtime` attachment (the run data; links and secrets are never in a view). */
const RUNTIME_KEYS = ['data', 'item', 'severity', 'trigger', 'execution_time', 'watch', 'resolved'];

type Compiler = (source: string, mode: EscapeMode, path: string) => CompiledTemplate;

type CompiledAttachment =
  | { filename: string; kind: 'runtime'; contentType: string }
  | { filename: string; kind: 'request'; contentType?: string; request: CompiledRequest };

export function compileEmail(params: EmailParams & { account?: unknown }, env: CompileEnv): CompiledAction {
  const problems: ErrorDetail = {};
  const compile: Compiler = (source, mode, path) => {
    try {
      return env.template(source, mode);
    } catch (e) {
      (problems[path] ??= []).push({ error: errorMessage(e), value: source });
      return { source, render: () => ({ text: '', missing: [] }) };
    }
  };

  const addresses = {} as Record<AddressField, CompiledTemplate[]>;
  for (const field of ADDRESS_FIELDS) {
    const v = params[field];
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    addresses[field] = list.flatMap((s, i) => (typeof s === 'string' ? [compile(s, 'header', Array.isArray(v) ? `${field}[${i}]` : field)] : []));
  }
  // Named groups are expanded when the mail is sent (groups.ts), so an edit reaches every watch.
  const groups: NonNullable<EmailRequest['groups']> = {};
  for (const field of RECIPIENT_FIELDS) {
    const ids = groupIds(params[field]);
    if (ids.length > 0) groups[field] = ids;
  }
  const subject = compile(params.subject ?? '', 'header', 'subject');
  const textBody = params.text_body !== undefined ? compile(params.text_body, 'plain', 'text_body') : undefined;
  const htmlBody = params.html_body !== undefined ? compile(params.html_body, 'html', 'html_body') : undefined;
  const mdHtml = params.markdown_body !== undefined ? compile(params.markdown_body, 'html', 'markdown_body') : undefined;
  const mdText = params.markdown_body !== undefined ? compile(params.markdown_body, 'plain', 'markdown_body') : undefined;
  const attachments = compileAttachments(params, compile);

  if (Object.keys(problems).length > 0) {
    throw new VigilError('INVALID_WATCH', 'Email action has invalid templates; see detail.', problems);
  }
  const account = typeof params.account === 'string' && params.account !== '' ? params.account : 'default';

  return {
    render(view: TemplateView, info: RenderInfo): RenderedNotification {
      const missing = new Set<string>();
      const run = (t: CompiledTemplate): string => {
        const r = t.render(view);
        for (const m of r.missing) missing.add(m);
        return r.text;
      };
      const header = (t: CompiledTemplate, field: string): string => {
        const text = run(t);
        // Defence in depth: the engine's `header` mode already refuses CR/LF.
        if (/[\r\n]/.test(text)) throw new VigilError('INVALID_HEADER_VALUE', `${field}: rendered value contains CR or LF`);
        return text;
      };
      const addr = (field: AddressField): string[] => {
        const out: string[] = [];
        for (const t of addresses[field]) {
          const { mailboxes, invalid } = parseAddresses(header(t, field));
          if (invalid.length > 0) {
            throw new VigilError('INVALID_HEADER_VALUE', `${field}: not an e-mail address: ${JSON.stringify(invalid[0]!.slice(0, 100))}`);
          }
          out.push(...mailboxes.map(formatMailbox));
        }
        return out;
      };

      const to = addr('to');
      const from = addr('from');
      if (from.length > 1) throw new VigilError('INVALID_HEADER_VALUE', 'from: only one address is allowed');
      const request: EmailRequest = {
        to,
        cc: addr('cc'),
        bcc: addr('bcc'),
        from: from[0] ?? '',
        reply_to: addr('reply_to'),
        subject: header(subject, 'subject'),
        attachments: [],
        ...(Object.keys(groups).length > 0 ? { groups } : {}),
      };
      const text = textBody ? run(textBody) : mdText ? run(mdText) : undefined;
      const html = htmlBody ? run(htmlBody) : mdHtml ? markdownToHtml(run(mdHtml)) : undefined;
      if (text !== undefined) request.text = text;
      if (html !== undefined) request.html = html;
      request.attachments = attachments.map((a) => renderAttachment(a, view, (paths) => paths.forEach((p) => missing.add(p))));

      if (missing.size > 0) info.reportMissing([...missing]);
      return {
        kind: 'fire',
        request,
        summary: summarize(request),
        destination: `email:${account}`,
      };
    },
  };
}

function compileAttachments(params: EmailParams, compile: Compiler): CompiledAttachment[] {
  const out: CompiledAttachment[] = [];
  for (const [filename, a] of Object.entries(params.attachments ?? {})) {
    if (a.type === 'runtime') {
      out.push({ filename, kind: 'runtime', contentType: a.content_type ?? 'application/json' });
      continue;
    }
    const base = `attachments.${filename}`;
    // Each template's problem is reported at its own path, and the others are still compiled.
    const env = { template: (source: string, mode: EscapeMode, field?: () => string) => compile(source, mode, `${base}.${field?.() ?? 'request'}`) };
    out.push({ filename, kind: 'request', ...(a.content_type !== undefined ? { contentType: a.content_type } : {}), request: compileRequest(a.request, a, env) });
  }
  return out;
}

function renderAttachment(a: CompiledAttachment, view: TemplateView, reportMissing: (paths: string[]) => void): EmailAttachment {
  if (a.kind === 'runtime') {
    const data: Record<string, unknown> = {};
    for (const k of RUNTIME_KEYS) if (view[k] !== undefined) data[k] = view[k];
    return { filename: a.filename, source: 'runtime', contentType: a.contentType, content: JSON.stringify(data, null, 2) };
  }
  const { url, ...rest } = a.request.render(view, reportMissing);
  // An attachment's definition requires a URL, so the rendered request always has one.
  return { filename: a.filename, source: 'request', ...(a.contentType ? { contentType: a.contentType } : {}), request: { ...rest, url: url! } };
}

function summarize(r: EmailRequest): string {
  // Bcc stays out of logs: it is hidden from the other recipients for a reason.
  const rcpts = [...r.to, ...r.cc, ...[...(r.groups?.to ?? []), ...(r.groups?.cc ?? [])].map((g) => `group ${g}`)];
  const who = rcpts.length === 0 ? 'the account defaults' : rcpts.slice(0, 3).join(', ') + (rcpts.length > 3 ? ` (+${rcpts.length - 3})` : '');
  const subject = r.subject.length > 80 ? `${r.subject.slice(0, 79)}…` : r.subject;
  return `email to ${who}: ${JSON.stringify(subject)}`;
}
