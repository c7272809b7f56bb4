import { z } from 'zod';
import { accountSchemas } from '../shared/account-schema.ts';

/** Chime action params: the message text (Chime shows it as sent; `/md ` at its start asks for markdown). */
export const chimeParams = z.strictObject({
  text: z.string().min(1),
});

export type ChimeParams = z.infer<typeof chimeParams>;

/** The webhook URL carries its token in the query: the whole URL is the credential. */
export const chimeAccount = accountSchemas(z.strictObject({}), z.strictObject({ url: z.url({ protocol: /^https?$/ }) }));

export type ChimeAccount = z.infer<typeof chimeAccount.schema>;
