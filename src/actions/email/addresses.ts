/**
 * RFC 5322 address lists (`Name <a@b>` allowed) and the domain allowlist. Parsing is nodemailer's own
 * addressparser, so what we check is exactly what nodemailer will put on the envelope.
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { Address, MailboxAddress } from 'nodemailer/lib/addressparser';

/** One mailbox: the display name (may be empty) and the bare address. */
export interface Mailbox {
  name: string;
  address: string;
}

/** A field value as written in a watch or an account: one string (may hold a comma list) or an array. */
export type AddressInput = string | readonly string[];

// Deliberately simple: one @, no whitespace or angle brackets, a dotted or bracketed domain. The SMTP
// server has the final word; this only catches typos and template leftovers at load and render time.
const ADDR_SPEC = /^[^\s@<>(),;:"]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[^\]\s]+\])$/;

/**
 * Parses an address list. Returns the mailboxes and the entries that are not addresses (for errors).
 * Groups (`team: a@b, c@d;`) are flattened.
 */
export function parseAddresses(input: AddressInput): { mailboxes: Mailbox[]; invalid: string[] } {
  const mailboxes: Mailbox[] = [];
  const invalid: string[] = [];
  for (const item of typeof input === 'string' ? [input] : input) {
    if (item.trim() === '') continue;
    for (const m of flatten(addressparser(item))) {
      if (ADDR_SPEC.test(m.address)) mailboxes.push({ name: m.name, address: m.address });
      else invalid.push(m.address || m.name);
    }
  }
  return { mailboxes, invalid };
}

function flatten(list: Address[]): MailboxAddress[] {
  const out: MailboxAddress[] = [];
  for (const a of list) {
    if (a.group) out.push(...flatten(a.group));
    else out.push(a);
  }
  return out;
}

/** `Name <a@b>` or `a@b`, quoting the display name when it needs it. */
export function formatMailbox(m: Mailbox): string {
  if (m.name === '') return m.address;
  const name = /^[\w !#$%&'*+\-/=?^`{|}~.]*$/.test(m.name) ? m.name : `"${m.name.replace(/["\\]/g, '\\$&')}"`;
  return `${name} <${m.address}>`;
}

/** The domain of a bare address, lower-cased, brackets kept for address literals. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Whether `domain` is allowed by the allowlist. Entries are exact domains (`example.com`) or a wildcard
 * for subdomains (`*.example.com`, which does not admit `example.com` itself). Case-insensitive.
 */
export function domainAllowed(domain: string, allowlist: readonly string[]): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return allowlist.some((entry) => {
    const e = entry.toLowerCase().replace(/\.$/, '');
    if (e.startsWith('*.')) return d.endsWith(e.slice(1)) && d.length > e.length - 1;
    return d === e;
  });
}

/** The addresses of `mailboxes` whose domain the allowlist refuses (none when there is no allowlist). */
export function refusedByAllowlist(mailboxes: readonly Mailbox[], allowlist: readonly string[] | undefined): string[] {
  if (allowlist === undefined) return [];
  return mailboxes.filter((m) => !domainAllowed(domainOf(m.address), allowlist)).map((m) => m.address);
}

/** True when the text holds a Mustache tag, i.e. its value is only known at render time. */
export function isTemplated(text: string): boolean {
  return text.includes('{{');
}
