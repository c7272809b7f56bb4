/**
 * The checks SES v2 applies to a `SendEmail` body (`POST /v2/email/outbound-emails`), as
 * `BadRequestException`s with SES's messages where they are known: the shape of `Destination`,
 * `Content.Simple` and `Content.Raw`, e-mail addresses (7-bit local part, non-ASCII display names only
 * as RFC 2047 encoded words), header names and values, the 50-recipient limit. Fields SES v2 defines but
 * the stand-in does not model (templates, list management, tenants) and unknown fields are refused
 * by name, so a client bug shows instead of passing unnoticed.
 */
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';

export interface SesContent {
  subject: string;
  text?: string;
  html?: string;
  /** Charsets given for subject, text and html (SES's default is 7-bit ASCII). */
  charsets: { subject?: string; text?: string; html?: string };
  headers: Array<{ name: string; value: string }>;
}

export interface CheckedSend {
  /** The envelope sender address (without display name). */
  from: string;
  /** The From field as given (display name included). */
  fromHeader: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  configurationSet?: string;
  tags: Record<string, string>;
  simple?: SesContent;
  raw?: { mime: Buffer; parsed: ParsedMail };
}

export const SES_MAX_RECIPIENTS = 50;
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export class SesBadRequest extends Error {}

const TOP = new Set(['FromEmailAddress', 'Destination', 'ReplyToAddresses', 'Content', 'EmailTags', 'ConfigurationSetName']);
const NOT_MODELLED = new Set([
  'FromEmailAddressIdentityArn',
  'FeedbackForwardingEmailAddress',
  'FeedbackForwardingEmailAddressIdentityArn',
  'ListManagementOptions',
  'EndpointId',
  'TenantName',
]);

function bad(m: string): never {
  throw new SesBadRequest(m);
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`Unexpected field '${where}${k}'.`);
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(`'${where}' must be an object.`);
  return v as Record<string, unknown>;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') bad(`'${where}' must be a string.`);
  return v as string;
}

const ADDR = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Parses `addr` or `Name <addr>`; returns the bare address. */
export function parseAddress(v: string): string {
  if (/[\r\n]/.test(v)) bad('Local address contains control or whitespace');
  if (/[^\x00-\x7F]/.test(v)) bad(`Illegal address: non-ASCII characters must be encoded (RFC 2047 for the name, Punycode for the domain): ${v}`);
  const m = /^(?:(.*?)\s*<([^<>]*)>|([^<>]*))$/.exec(v.trim());
  if (!m) bad(`Illegal address: ${v}`);
  const name = m![1];
  const addr = (m![2] ?? m![3] ?? '').trim();
  if (name !== undefined && name !== '' && !/^"(?:[^"\\]|\\.)*"$/.test(name) && /[()<>[\]:;@\\,."]/.test(name) && !/^=\?[^?]+\?[BbQq]\?[^?]*\?=$/.test(name)) {
    bad(`Illegal address: the display name must be quoted: ${v}`);
  }
  if (!addr.includes('@')) bad("Missing final '@domain'");
  if (/[\s\x00-\x1F]/.test(addr.split('@')[0]!)) bad('Local address contains control or whitespace');
  if (!ADDR.test(addr)) bad(`Illegal address: ${addr}`);
  return addr;
}

function addressList(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) bad(`'${where}' must be a list of strings.`);
  return (v as unknown[]).map((a, i) => parseAddress(str(a, `${where}[${i}]`)));
}

function textPart(v: unknown, where: string): { data: string; charset?: string } {
  const o = obj(v, where);
  onlyKeys(o, ['Data', 'Charset'], `${where}.`);
  const data = str(o.Data, `${where}.Data`);
  if (o.Charset !== undefined && !/^[A-Za-z0-9_.:-]{1,40}$/.test(str(o.Charset, `${where}.Charset`))) bad(`Invalid charset '${o.Charset}'.`);
  return { data, ...(o.Charset !== undefined && { charset: o.Charset as string }) };
}

function simple(v: unknown): SesContent {
  const s = obj(v, 'Content.Simple');
  onlyKeys(s, ['Subject', 'Body', 'Headers'], 'Content.Simple.');
  if (s.Subject === undefined) bad("'Content.Simple.Subject' is required.");
  const subject = textPart(s.Subject, 'Content.Simple.Subject');
  const body = obj(s.Body, 'Content.Simple.Body');
  onlyKeys(body, ['Text', 'Html'], 'Content.Simple.Body.');
  if (body.Text === undefined && body.Html === undefined) bad("'Content.Simple.Body' must contain Text, Html or both.");
  const text = body.Text === undefined ? undefined : textPart(body.Text, 'Content.Simple.Body.Text');
  const html = body.Html === undefined ? undefined : textPart(body.Html, 'Content.Simple.Body.Html');
  const headers: SesContent['headers'] = [];
  if (s.Headers !== undefined) {
    if (!Array.isArray(s.Headers)) bad("'Content.Simple.Headers' must be a list.");
    for (const [i, h] of (s.Headers as unknown[]).entries()) {
      const o = obj(h, `Content.Simple.Headers[${i}]`);
      onlyKeys(o, ['Name', 'Value'], `Content.Simple.Headers[${i}].`);
      const name = str(o.Name, `Content.Simple.Headers[${i}].Name`);
      const value = str(o.Value, `Content.Simple.Headers[${i}].Value`);
      if (!/^[!-9;-~]{1,126}$/.test(name)) bad(`Invalid header name '${name}'.`);
      if (/[\r\n\x00]/.test(value) || value.length > 870) bad(`Invalid value for header '${name}'.`);
      headers.push({ name, value });
    }
  }
  return {
    subject: subject.data,
    ...(text && { text: text.data }),
    ...(html && { html: html.data }),
    charsets: { subject: subject.charset, text: text?.charset, html: html?.charset },
    headers,
  };
}

async function raw(v: unknown): Promise<{ mime: Buffer; parsed: ParsedMail }> {
  const r = obj(v, 'Content.Raw');
  onlyKeys(r, ['Data'], 'Content.Raw.');
  const data = str(r.Data, 'Content.Raw.Data');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(data)) bad("'Content.Raw.Data' is not valid base64.");
  const mime = Buffer.from(data, 'base64');
  if (mime.length > SES_MAX_MESSAGE_BYTES) bad('Message length is more than 40 megabytes.');
  const text = mime.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  if (end <= 0) bad('Raw message has no header section followed by an empty line.');
  const headerLines = text.slice(0, end).split(/\r?\n/);
  for (const line of headerLines) {
    if (/[^\x09\x20-\x7E]/.test(line)) bad(`Illegal header: non-ASCII or control characters in '${line.slice(0, 60)}'.`);
    if (!/^[ \t]/.test(line) && !/^[!-9;-~]+:/.test(line)) bad(`Illegal header: '${line.slice(0, 60)}'.`);
  }
  if (/^[ \t]/.test(headerLines[0]!)) bad('Illegal header: the first header line is a continuation.');
  return { mime, parsed: await simpleParser(mime) };
}

function addressesOf(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((x) => x.address ?? '')).filter((x) => x !== '');
}

/** Validates a SendEmail body; throws {@link SesBadRequest} with SES's message. */
export async function checkSend(body: unknown): Promise<CheckedSend> {
  const b = obj(body, '');
  for (const k of Object.keys(b)) {
    if (NOT_MODELLED.has(k)) bad(`'${k}' is not modelled by this stand-in.`);
    if (!TOP.has(k)) bad(`Unexpected field '${k}'.`);
  }
  const content = obj(b.Content, 'Content');
  onlyKeys(content, ['Simple', 'Raw', 'Template'], 'Content.');
  const kinds = Object.keys(content);
  if (kinds.length !== 1) bad('Exactly one of Content.Simple, Content.Raw or Content.Template must be given.');
  if (kinds[0] === 'Template') bad("'Content.Template' is not modelled by this stand-in.");

  const dest = b.Destination === undefined ? undefined : obj(b.Destination, 'Destination');
  if (dest) onlyKeys(dest, ['ToAddresses', 'CcAddresses', 'BccAddresses'], 'Destination.');
  let to = addressList(dest?.ToAddresses, 'Destination.ToAddresses');
  let cc = addressList(dest?.CcAddresses, 'Destination.CcAddresses');
  let bcc = addressList(dest?.BccAddresses, 'Destination.BccAddresses');
  const replyTo = addressList(b.ReplyToAddresses, 'ReplyToAddresses');
  const tags: Record<string, string> = {};
  if (b.EmailTags !== undefined) {
    if (!Array.isArray(b.EmailTags)) bad("'EmailTags' must be a list.");
    for (const [i, t] of (b.EmailTags as unknown[]).entries()) {
      const o = obj(t, `EmailTags[${i}]`);
      onlyKeys(o, ['Name', 'Value'], `EmailTags[${i}].`);
      const name = str(o.Name, `EmailTags[${i}].Name`);
      const value = str(o.Value, `EmailTags[${i}].Value`);
      if (!/^[A-Za-z0-9_-]{1,256}$/.test(name) || !/^[A-Za-z0-9_-]{1,256}$/.test(value)) bad(`Invalid tag: names and values hold only letters, digits, '_' and '-' (tag ${i}).`);
      tags[name] = value;
    }
  }
  const configurationSet = b.ConfigurationSetName === undefined ? undefined : str(b.ConfigurationSetName, 'ConfigurationSetName');

  let fromHeader = b.FromEmailAddress === undefined ? undefined : str(b.FromEmailAddress, 'FromEmailAddress');
  let from = fromHeader === undefined ? undefined : parseAddress(fromHeader);
  let simpleContent: SesContent | undefined;
  let rawContent: CheckedSend['raw'];
  if (kinds[0] === 'Simple') {
    simpleContent = simple(content.Simple);
    if (from === undefined) bad("'FromEmailAddress' is required for simple content.");
    if (!dest) bad("'Destination' is required for simple content.");
  } else {
    rawContent = await raw(content.Raw);
    const p = rawContent.parsed;
    if (from === undefined) {
      from = addressesOf(p.from)[0];
      if (from === undefined) bad("Missing required header 'From'.");
      fromHeader = p.from!.text;
    }
    if (!dest) {
      to = addressesOf(p.to);
      cc = addressesOf(p.cc);
      bcc = addressesOf(p.bcc);
    }
  }
  const count = to.length + cc.length + bcc.length;
  if (count === 0) bad('At least one recipient is required.');
  if (count > SES_MAX_RECIPIENTS) bad(`Recipient count exceeds ${SES_MAX_RECIPIENTS}.`);
  return {
    from: from!,
    fromHeader: fromHeader!,
    to,
    cc,
    bcc,
    replyTo,
    tags,
    ...(configurationSet !== undefined && { configurationSet }),
    ...(simpleContent && { simple: simpleContent }),
    ...(rawContent && { raw: rawContent }),
  };
}
