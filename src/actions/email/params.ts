/**
 * The email action's own fields. The common action fields (`type`, `name`, `account`,
 * `checks`, `foreach`, `throttle_period`, `severity`, `ack_enabled`…) are added by the watch schema.
 */
import { z } from 'zod';
import { isTemplated, parseAddresses } from './addresses.ts';
import { connectionShape, requestSchema } from '../../request/schema.ts';
import { isGroupRef, recipientsField } from './groups.ts';

/** One address list: a string (a comma list is fine) or an array; each entry may be a template. */
const addressField = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/**
 * A `runtime` attachment carries the run data; a `request` attachment is fetched at send time with the
 * shared request definition (that of the `http` check). Its `auth` is Signals' inline basic
 * authentication: the credentials sit in the watch file in clear, as in Signals, and travel with the
 * rendered request (redacted wherever it is shown).
 */
const attachmentSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('runtime'),
    content_type: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('request'),
    request: requestSchema,
    ...connectionShape,
    content_type: z.string().optional(),
  }),
]);

const ADDRESS_FIELDS = ['to', 'cc', 'bcc', 'from', 'reply_to'] as const;
/** The fields that may name recipient groups. */
export const RECIPIENT_FIELDS = ['to', 'cc', 'bcc'] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export { ADDRESS_FIELDS };

export const emailParamsSchema = z
  .strictObject({
    /** Addresses, and recipient groups as `{"group": "<id>"}` (groups.ts). */
    to: recipientsField.optional(),
    cc: recipientsField.optional(),
    bcc: recipientsField.optional(),
    from: addressField.optional(),
    reply_to: addressField.optional(),
    subject: z.string().optional(),
    text_body: z.string().optional(),
    html_body: z.string().optional(),
    /** Vigil: rendered to sanitised HTML and used as the plain-text part (unless `text_body` is given). */
    markdown_body: z.string().optional(),
    /** `{"<file name>": {"type":"runtime"} | {"type":"request","request":{…}}}` */
    attachments: z.record(z.string().min(1).max(255).regex(/^[^\r\n/\\]+$/, 'must be a file name'), attachmentSchema).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.text_body === undefined && p.html_body === undefined && p.markdown_body === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text_body'], message: 'one of text_body, html_body or markdown_body is required' });
    }
    if (p.markdown_body !== undefined && p.html_body !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['markdown_body'], message: 'markdown_body renders the HTML part; do not combine it with html_body' });
    }
    if (p.subject !== undefined && /[\r\n]/.test(p.subject)) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must be a single line (no CR or LF)' });
    }
    for (const field of ADDRESS_FIELDS) {
      const value = p[field];
      if (value === undefined) continue;
      const list = Array.isArray(value) ? value : [value];
      list.forEach((entry, i) => {
        if (isGroupRef(entry)) return;
        const path = Array.isArray(value) ? [field, i] : [field];
        if (/[\r\n]/.test(entry)) {
          ctx.addIssue({ code: 'custom', path, message: 'must be a single line (no CR or LF)' });
          return;
        }
        // Templated entries are checked when rendered.
        if (isTemplated(entry)) return;
        const { mailboxes, invalid } = parseAddresses(entry);
        if (invalid.length > 0) ctx.addIssue({ code: 'custom', path, message: `not an e-mail address: ${invalid.join(', ')}` });
        else if (mailboxes.length === 0) ctx.addIssue({ code: 'custom', path, message: 'no e-mail address' });
      });
    }
  });

export type EmailParams = z.infer<typeof emailParamsSchema>;
