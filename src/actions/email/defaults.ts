/**
 * The fields every e-mail sender account has (SMTP `email`, `ses`, `exchange`), so that defaults and
 * the domain allowlist behave the same whichever transport sends: `default_to`, `default_cc`,
 * `default_bcc` (addresses, and recipient groups as `{"group": "<id>"}`) and `domain_allowlist`.
 */
import { z } from 'zod';
import { parseAddresses, refusedByAllowlist } from './addresses.ts';
import { addressStrings, isGroupRef, recipientsField, type RecipientsInput } from './groups.ts';

export const domainAllowlistField = z.array(z.string().min(1).regex(/^(\*\.)?[^\s@*]+$/, 'must be a domain or *.domain'));

export const senderDefaultsShape = {
  default_to: recipientsField.optional(),
  default_cc: recipientsField.optional(),
  default_bcc: recipientsField.optional(),
  /** Vigil: every From/To/Cc/Bcc address must be in one of these domains (`*.example.com` for subdomains). */
  domain_allowlist: domainAllowlistField.optional(),
};

export const DEFAULT_RECIPIENT_FIELDS = ['default_to', 'default_cc', 'default_bcc'] as const;

export interface SenderDefaults {
  default_to?: RecipientsInput | undefined;
  default_cc?: RecipientsInput | undefined;
  default_bcc?: RecipientsInput | undefined;
  domain_allowlist?: string[] | undefined;
}

/** Checks an address field of an account: it parses, `single` holds one address, the allowlist admits it. */
export function checkAddressField(
  value: RecipientsInput | undefined,
  allowlist: readonly string[] | undefined,
  issue: (message: string) => void,
  o: { single?: boolean; groups?: boolean } = {},
): void {
  if (value === undefined) return;
  if (!o.groups && (isGroupRef(value) || (Array.isArray(value) && value.some(isGroupRef)))) issue('a sender address cannot be a group');
  const strings = addressStrings(value);
  if (strings.some((s) => /[\r\n]/.test(s))) return issue('must be a single line (no CR or LF)');
  const { mailboxes, invalid } = parseAddresses(strings);
  if (invalid.length > 0) issue(`not an e-mail address: ${invalid.join(', ')}`);
  if (o.single && mailboxes.length > 1) issue('only one from address is allowed');
  const refused = refusedByAllowlist(mailboxes, allowlist);
  if (refused.length > 0) issue(`domain not in domain_allowlist: ${refused.join(', ')}`);
}

/** The rules of the default recipient fields. */
export function senderDefaultsRules(a: SenderDefaults, issue: (path: string, message: string) => void): void {
  for (const field of DEFAULT_RECIPIENT_FIELDS) checkAddressField(a[field], a.domain_allowlist, (m) => issue(field, m), { groups: true });
}
