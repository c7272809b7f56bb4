import { z } from 'zod';
import { accountSchemas } from '../shared/account-schema.ts';

/**
 * Teams action params. `title` and `text` (Teams markdown) fill Vigil's card, coloured by the watch's
 * severity; `card` replaces that card with one of the author's own: a JSON object whose strings are
 * templates, or one template rendering to a JSON object. `format` picks what goes out: an Adaptive Card
 * in a message envelope (Workflows webhooks, and connectors too), or a legacy connector MessageCard.
 */
export const teamsParams = z
  .strictObject({
    title: z.string().optional(),
    text: z.string().optional(),
    card: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    format: z.enum(['adaptive_card', 'message_card']).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.card === undefined && p.text === undefined && p.title === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'one of text, title or card is required' });
    }
    if (p.card !== undefined && (p.text !== undefined || p.title !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['card'], message: 'card replaces the card title and text would fill; give either card or title and text' });
    }
  });

export type TeamsParams = z.infer<typeof teamsParams>;

/** A Workflows trigger URL carries its signature (`sig`), a connector URL its ids: the URL is the credential. */
export const teamsAccount = accountSchemas(z.strictObject({}), z.strictObject({ url: z.url({ protocol: /^https?$/ }) }));

export type TeamsAccount = z.infer<typeof teamsAccount.schema>;
