/**
 * Strict reading of a Microsoft Graph `sendMail` request body, with Graph's error codes and (where
 * known) its messages: OData's `RequestBodyRead` for unknown properties, wrong types and enum values,
 * `ErrorInvalidRecipients` for recipients Exchange cannot resolve, `InvalidInternetMessageHeader` for
 * custom headers not named `x-…`.
 */

export interface GraphRecipient {
  emailAddress: { address: string; name?: string };
}

export interface GraphFileAttachment {
  '@odata.type': '#microsoft.graph.fileAttachment';
  name: string;
  contentType?: string;
  contentBytes: string;
  isInline?: boolean;
  contentId?: string;
}

export interface GraphMessage {
  subject?: string;
  body?: { contentType: 'Text' | 'HTML'; content: string };
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  bccRecipients?: GraphRecipient[];
  replyTo?: GraphRecipient[];
  attachments?: GraphFileAttachment[];
  importance?: 'low' | 'normal' | 'high';
  internetMessageHeaders?: Array<{ name: string; value: string }>;
}

export class GraphBadRequest extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function fail(code: string, message: string): never {
  throw new GraphBadRequest(code, message);
}

const unknownProperty = (name: string, type: string): never =>
  fail('RequestBodyRead', `The property '${name}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);

function literal(v: unknown, edm: string): never {
  return fail('RequestBodyRead', `Cannot convert the literal '${typeof v === 'string' ? v : JSON.stringify(v)}' to the expected type '${edm}'.`);
}

function object(v: unknown, type: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('RequestBodyRead', `An unexpected '${Array.isArray(v) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartObject' node was expected for type '${type}'.`);
  return v as Record<string, unknown>;
}

function only(o: Record<string, unknown>, allowed: string[], type: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) unknownProperty(k, type);
}

function string(v: unknown): string {
  if (typeof v !== 'string') literal(v, 'Edm.String');
  return v as string;
}

function collection(v: unknown, type: string): unknown[] {
  if (!Array.isArray(v)) fail('RequestBodyRead', `An unexpected 'StartObject' node was found when reading from the JSON reader. A 'StartArray' node was expected for a collection of '${type}'.`);
  return v as unknown[];
}

const ADDRESS = /^[^\s@<>"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

function recipients(v: unknown): GraphRecipient[] {
  return collection(v, 'microsoft.graph.recipient').map((r) => {
    const o = object(r, 'microsoft.graph.recipient');
    only(o, ['emailAddress'], 'microsoft.graph.recipient');
    const e = object(o.emailAddress, 'microsoft.graph.emailAddress');
    only(e, ['address', 'name'], 'microsoft.graph.emailAddress');
    const address = e.address === undefined || e.address === null ? '' : string(e.address);
    if (e.name !== undefined) string(e.name);
    if (!ADDRESS.test(address)) {
      fail('ErrorInvalidRecipients', `At least one recipient is not valid., Recipient '${address}' is not resolved. All recipients must be resolved before a message can be submitted.`);
    }
    return { emailAddress: { address, ...(e.name !== undefined && { name: e.name as string }) } };
  });
}

function attachment(v: unknown): GraphFileAttachment {
  const o = object(v, 'microsoft.graph.attachment');
  const type = o['@odata.type'];
  if (type === undefined) fail('RequestBodyRead', 'Cannot create an abstract class.');
  if (type !== '#microsoft.graph.fileAttachment') {
    fail('RequestBodyRead', `A type named '${String(type).replace(/^#/, '')}' could not be resolved by the model, or is not a file attachment this stand-in models.`);
  }
  only(o, ['@odata.type', 'name', 'contentType', 'contentBytes', 'isInline', 'contentId', 'size'], 'microsoft.graph.fileAttachment');
  const name = string(o.name);
  const bytes = string(o.contentBytes);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(bytes)) literal(bytes.slice(0, 40), 'Edm.Binary');
  if (o.contentType !== undefined) string(o.contentType);
  if (o.contentId !== undefined) string(o.contentId);
  if (o.isInline !== undefined && typeof o.isInline !== 'boolean') literal(o.isInline, 'Edm.Boolean');
  return o as unknown as GraphFileAttachment & { name: typeof name };
}

/** Validates a sendMail body; throws {@link GraphBadRequest}. */
export function readSendMail(json: unknown): { message: GraphMessage; saveToSentItems: boolean } {
  const top = object(json, 'sendMail');
  for (const k of Object.keys(top)) {
    if (k !== 'message' && k !== 'saveToSentItems') fail('RequestBodyRead', `The parameter '${k}' in the request payload is not a valid parameter for the operation 'sendMail'.`);
  }
  if (top.message === undefined || top.message === null) fail('ErrorInvalidParameter', "The value of the parameter 'Message' is empty.");
  if (top.saveToSentItems !== undefined && typeof top.saveToSentItems !== 'boolean') literal(top.saveToSentItems, 'Edm.Boolean');
  const m = object(top.message, 'microsoft.graph.message');
  only(
    m,
    ['subject', 'body', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo', 'attachments', 'importance', 'internetMessageHeaders'],
    'microsoft.graph.message',
  );
  const out: GraphMessage = {};
  if (m.subject !== undefined && m.subject !== null) out.subject = string(m.subject);
  if (m.body !== undefined) {
    const b = object(m.body, 'microsoft.graph.itemBody');
    only(b, ['contentType', 'content'], 'microsoft.graph.itemBody');
    const ct = b.contentType === undefined ? 'text' : string(b.contentType).toLowerCase();
    if (ct !== 'text' && ct !== 'html') fail('RequestBodyRead', `Requested value '${b.contentType}' was not found.`);
    out.body = { contentType: ct === 'html' ? 'HTML' : 'Text', content: b.content === undefined ? '' : string(b.content) };
  }
  for (const k of ['toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo'] as const) if (m[k] !== undefined) out[k] = recipients(m[k]);
  if (!(out.toRecipients?.length || out.ccRecipients?.length || out.bccRecipients?.length)) fail('ErrorInvalidRecipients', "At least one recipient isn't valid.");
  if (m.attachments !== undefined) out.attachments = collection(m.attachments, 'microsoft.graph.attachment').map(attachment);
  if (m.importance !== undefined) {
    const i = string(m.importance).toLowerCase();
    if (i !== 'low' && i !== 'normal' && i !== 'high') fail('RequestBodyRead', `Requested value '${m.importance}' was not found.`);
    out.importance = i;
  }
  if (m.internetMessageHeaders !== undefined) {
    out.internetMessageHeaders = collection(m.internetMessageHeaders, 'microsoft.graph.internetMessageHeader').map((h) => {
      const o = object(h, 'microsoft.graph.internetMessageHeader');
      only(o, ['name', 'value'], 'microsoft.graph.internetMessageHeader');
      const name = string(o.name);
      const value = string(o.value);
      if (!/^x-/i.test(name)) fail('InvalidInternetMessageHeader', `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
      if (/[\r\n]/.test(value) || /[^!-9;-~]/.test(name)) fail('InvalidInternetMessageHeader', `The internet message header '${name}' has an invalid name or value.`);
      return { name, value };
    });
  }
  return { message: out, saveToSentItems: top.saveToSentItems !== false };
}
