import { z } from 'zod';
import { accountSchemas } from '../shared/account-schema.ts';

/** Slack action params: Signals' fields; `from` becomes Slack's `username`. */
export const slackParams = z
  .strictObject({
    channel: z.string().optional(),
    from: z.string().optional(),
    icon_emoji: z.string().optional(),
    text: z.string().optional(),
    /** Block Kit blocks: a JSON array whose strings are templates, or one template rendering to a JSON array. */
    blocks: z.union([z.array(z.record(z.string(), z.unknown())), z.string()]).optional(),
    /** Legacy attachments: same two forms as `blocks`. */
    attachments: z.union([z.array(z.record(z.string(), z.unknown())), z.string()]).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.text === undefined && p.blocks === undefined && p.attachments === undefined) {
      ctx.addIssue({ code: 'custom', message: 'one of text, blocks or attachments is required', path: ['text'] });
    }
  });

export type SlackParams = z.infer<typeof slackParams>;

/** The incoming-webhook URL is the credential itself, so the whole `url` is secret. */
export const slackAccount = accountSchemas(z.strictObject({}), z.strictObject({ url: z.url({ protocol: /^https?$/ }) }));

export type SlackAccount = z.infer<typeof slackAccount.schema>;
