/**
 * `markdown_body` → HTML for the mail's HTML part. The template is rendered with HTML-escaped values
 * *before* markdown runs, so a value cannot bring its own markup; the result is then sanitised, so even
 * markup written by the watch author is limited to a mail-safe subset (no scripts, no event handlers, no
 * `javascript:` links, no remote forms).
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// An instance of its own: options set elsewhere on the global `marked` must not change mail output.
const marked = new Marked({ gfm: true, breaks: false, async: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'del',
    'ins',
    'sup',
    'sub',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['align', 'colspan', 'rowspan'],
    td: ['align', 'colspan', 'rowspan'],
    code: ['class'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
  disallowedTagsMode: 'discard',
};

/** Converts rendered markdown (values already HTML-escaped) to sanitised HTML. */
export function markdownToHtml(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return sanitizeHtml(html, SANITIZE);
}

/** Sanitises HTML with the same mail-safe rules (exported for tests and future reuse). */
export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}
