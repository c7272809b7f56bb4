/**
 * Recipient groups: an `email_group` account holds a list of addresses that the `to`, `cc` and `bcc`
 * of an e-mail action (and the `default_to`, `default_cc`, `default_bcc` of a sender account) name
 * with an entry `{"group": "<id>"}` — an object, so it can never be taken for an address or an RFC 5322
 * group (`team: a@b, c@d;`), both of which are strings. Groups are read when a notification is sent,
 * so editing a group changes what every watch naming it sends from then on. A group names addresses
 * only, not other groups.
 */
import { z } from 'zod';
import { VigilError } from '../../errors.ts';
import { accountSchemas } from '../shared/account-schema.ts';
import type { AccountLink, LinkedAccountType } from '../types.ts';
import { formatMailbox, parseAddresses, type Mailbox } from './addresses.ts';

export const EMAIL_GROUP = 'email_group';

/** Group ids: account ids. */
const GROUP_ID = /^(?!(?:__proto__|constructor|prototype)$)[A-Za-z0-9_-]{1,128}$/;

/** `{"group": "<id>"}` in an address list. */
export const groupRef = z.strictObject({ group: z.string().regex(GROUP_ID, 'group ids are [A-Za-z0-9_-]{1,128}') });
export type GroupRef = z.infer<typeof groupRef>;

/** An address list that may name groups: a string (a comma list is fine), one group, or an array of either. */
export const recipientsField = z.union([z.string().min(1), groupRef, z.array(z.union([z.string().min(1), groupRef])).min(1)]);
export type RecipientsInput = z.infer<typeof recipientsField>;

export const isGroupRef = (v: unknown): v is GroupRef => typeof v === 'object' && v !== null && typeof (v as GroupRef).group === 'string';

/** The entries of a field value as a list. */
export function entries(v: RecipientsInput | undefined): Array<string | GroupRef> {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The address strings of a field value (groups left out). */
export const addressStrings = (v: RecipientsInput | undefined): string[] => entries(v).filter((e): e is string => typeof e === 'string');

/** The group ids of a field value. */
export const groupIds = (v: RecipientsInput | undefined): string[] => entries(v).filter(isGroupRef).map((g) => g.group);

/** The groups `fields` of `source` name, as account links with the path of each entry. */
export function groupLinks(source: Record<string, unknown>, fields: readonly string[]): AccountLink[] {
  const out: AccountLink[] = [];
  for (const field of fields) {
    const value = source[field] as RecipientsInput | undefined;
    if (value === undefined) continue;
    if (isGroupRef(value)) out.push({ type: EMAIL_GROUP, id: value.group, field });
    else if (Array.isArray(value)) value.forEach((e, i) => isGroupRef(e) && out.push({ type: EMAIL_GROUP, id: e.group, field: `${field}[${i}]` }));
  }
  return out;
}

// What the group is for goes in `description`, a field every account has.
const groupConfig = z.strictObject({
  emails: z.array(z.string().min(1).max(998)).min(1).max(1000),
});

export const emailGroupAccount = accountSchemas(groupConfig, z.strictObject({}), (a, ctx) => {
  a.emails.forEach((e, i) => {
    if (/[\r\n]/.test(e)) return ctx.addIssue({ code: 'custom', path: ['emails', i], message: 'must be a single line (no CR or LF)' });
    const { mailboxes, invalid } = parseAddresses(e);
    if (invalid.length > 0) ctx.addIssue({ code: 'custom', path: ['emails', i], message: `not an e-mail address: ${invalid.join(', ')}` });
    else if (mailboxes.length === 0) ctx.addIssue({ code: 'custom', path: ['emails', i], message: 'no e-mail address' });
  });
});

export type EmailGroup = z.infer<typeof emailGroupAccount.schema>;

/** The mailboxes of a group. */
export function groupMailboxes(g: EmailGroup): Mailbox[] {
  return parseAddresses(g.emails).mailboxes;
}

/** Reads groups at send time; each group is read once per send. */
export type GroupReader = (id: string) => Promise<EmailGroup>;

/** A reader over `DeliverDeps.lookupAccount`; a missing group is a VigilError ACCOUNT_NOT_FOUND naming it. */
export function groupReader(lookup: ((type: string, id: string) => Promise<unknown>) | undefined): GroupReader {
  const seen = new Map<string, Promise<EmailGroup>>();
  return (id) => {
    let p = seen.get(id);
    if (!p) {
      p = (async () => {
        if (!lookup) throw new VigilError('ACCOUNT_NOT_FOUND', `recipient group '${id}' cannot be read here`);
        try {
          return (await lookup(EMAIL_GROUP, id)) as EmailGroup;
        } catch (e) {
          if (e instanceof VigilError && e.code === 'ACCOUNT_NOT_FOUND') throw new VigilError('ACCOUNT_NOT_FOUND', `no recipient group '${id}' (email_group account)`);
          throw e;
        }
      })();
      seen.set(id, p);
    }
    return p;
  };
}

/** `addresses` followed by the members of `groups`, each address once (compared without case). */
export async function withGroups(addresses: readonly string[], groups: readonly string[], read: GroupReader): Promise<string[]> {
  const out = [...addresses];
  for (const id of groups) out.push(...groupMailboxes(await read(id)).map(formatMailbox));
  const seen = new Set<string>();
  return out.filter((a) => {
    const key = (parseAddresses(a).mailboxes[0]?.address ?? a).toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The linked `email_group` account type (its `_test` is set by the e-mail action, which sends through a sender). */
export const emailGroupType: Omit<LinkedAccountType<EmailGroup>, 'test'> = {
  ...emailGroupAccount,
  type: EMAIL_GROUP,
  role: 'lookup',
  // It holds no secret: nothing of it is sent with an account's credentials.
  destination: () => null,
  conformance: { example: () => ({ emails: ['Ops <ops@example.com>', 'dev@example.com'] }), secrets: [], overHttp: false },
};
