/**
 * The checks SNS applies to a `Publish` request's parameters, with its error codes and messages:
 * `InvalidParameter` for the topic, message, subject and FIFO fields, `ParameterValueInvalid` for
 * message attributes. Parameters SNS does not define are refused too (SNS ignores some; a stand-in
 * that names them catches a client whose encoding split a value into a new parameter).
 */
import type { AwsError } from './protocol.ts';

export interface SnsAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface CheckedPublish {
  topicArn: string;
  message: string;
  subject?: string;
  messageStructure?: string;
  attributes: Record<string, SnsAttribute>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

/** Largest message, attributes included: 256 KiB. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
export const SNS_MAX_SUBJECT = 100;
export const SNS_MAX_ATTRIBUTES = 10;

const TOP = new Set(['Action', 'Version', 'TopicArn', 'Message', 'Subject', 'MessageStructure', 'MessageGroupId', 'MessageDeduplicationId']);
const ATTR = /^MessageAttributes\.entry\.([1-9]\d*)\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$/;
const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;

const invalid = (message: string): { error: AwsError } => ({ error: { status: 400, code: 'InvalidParameter', message } });
const badValue = (message: string): { error: AwsError } => ({ error: { status: 400, code: 'ParameterValueInvalid', message } });

export function checkPublish(p: Map<string, string>, ctx: { region: string; fifo: (arn: string) => boolean }): { publish: CheckedPublish } | { error: AwsError } {
  const entries = new Map<number, Map<string, string>>();
  for (const [k, v] of p) {
    if (TOP.has(k)) continue;
    const m = ATTR.exec(k);
    if (!m) return invalid(`Invalid parameter: ${k} Reason: not a parameter of Publish`);
    const n = Number(m[1]);
    if (!entries.has(n)) entries.set(n, new Map());
    entries.get(n)!.set(m[2]!, v);
  }

  const topicArn = p.get('TopicArn');
  if (topicArn === undefined || topicArn === '') return invalid('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  const t = TOPIC_ARN.exec(topicArn);
  if (!t || t[1] !== ctx.region) return invalid('Invalid parameter: TopicArn');

  const message = p.get('Message');
  if (message === undefined || message === '') return invalid('Invalid parameter: Empty message');
  const structure = p.get('MessageStructure');
  if (structure !== undefined) {
    if (structure !== 'json') return invalid('Invalid parameter: MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return invalid('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as Record<string, unknown>).default !== 'string') {
      return invalid('Invalid parameter: Message Structure - No default entry in JSON message body');
    }
  }

  const subject = p.get('Subject');
  if (subject !== undefined && (subject === '' || subject.length > SNS_MAX_SUBJECT || /[^\x20-\x7E]/.test(subject))) return invalid('Invalid parameter: Subject');

  const attributes: Record<string, SnsAttribute> = {};
  const numbers = [...entries.keys()].sort((a, b) => a - b);
  if (numbers.length > SNS_MAX_ATTRIBUTES) return badValue(`Number of message attributes [${numbers.length}] exceeds the allowed maximum [${SNS_MAX_ATTRIBUTES}].`);
  let attrBytes = 0;
  for (const [i, n] of numbers.entries()) {
    if (n !== i + 1) return badValue(`MessageAttributes.entry.${i + 1} is missing: entries must be numbered from 1 without gaps.`);
    const e = entries.get(n)!;
    const name = e.get('Name');
    const problem = attributeNameProblem(name);
    if (problem) return badValue(problem);
    if (Object.hasOwn(attributes, name!)) return badValue(`Message attribute name '${name}' has already been used.`);
    const type = e.get('Value.DataType');
    if (!type) return badValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const base = /^(String\.Array|String|Number|Binary)(?:\.[A-Za-z0-9_.-]+)?$/.exec(type)?.[1];
    if (!base) return badValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    const sv = e.get('Value.StringValue');
    const bv = e.get('Value.BinaryValue');
    if (base === 'Binary') {
      if (!bv || sv !== undefined) return badValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(bv)) return badValue(`The message attribute '${name}' has an invalid binary value.`);
    } else {
      if (!sv || bv !== undefined) return badValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
      if (base === 'Number' && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(sv)) return badValue(`Could not cast message attribute '${name}' value to number.`);
      if (base === 'String.Array' && !isStringArray(sv)) return badValue(`The message attribute '${name}' with type 'String.Array' must contain a JSON array of strings, numbers, booleans or nulls.`);
    }
    attributes[name!] = { DataType: type, ...(sv !== undefined ? { StringValue: sv } : { BinaryValue: bv! }) };
    attrBytes += Buffer.byteLength(name!) + Buffer.byteLength(type) + Buffer.byteLength(sv ?? bv!);
  }
  if (Buffer.byteLength(message) + attrBytes > SNS_MAX_MESSAGE_BYTES) return invalid('Invalid parameter: Message too long');

  const groupId = p.get('MessageGroupId');
  const dedupId = p.get('MessageDeduplicationId');
  if (ctx.fifo(topicArn)) {
    if (!groupId) return invalid('Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    if (!dedupId) return invalid('Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  } else {
    if (groupId !== undefined) return invalid('Invalid parameter: MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type');
    if (dedupId !== undefined) return invalid('Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
  }
  for (const [k, v] of [['MessageGroupId', groupId], ['MessageDeduplicationId', dedupId]] as const) {
    if (v !== undefined && !/^[!-~]{1,128}$/.test(v)) return invalid(`Invalid parameter: ${k}`);
  }

  return {
    publish: {
      topicArn,
      message,
      attributes,
      ...(subject !== undefined && { subject }),
      ...(structure !== undefined && { messageStructure: structure }),
      ...(groupId !== undefined && { messageGroupId: groupId }),
      ...(dedupId !== undefined && { messageDeduplicationId: dedupId }),
    },
  };
}

function attributeNameProblem(name: string | undefined): string | undefined {
  if (!name) return 'The request must contain non-empty message attribute name.';
  if (name.length > 256) return `Length of message attribute name must be less than 256 bytes.`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return `Invalid attribute name: '${name}'. Attribute names can contain letters, digits, '_', '-' and '.'.`;
  if (/^(aws|amazon)\./i.test(name)) return `Invalid attribute name: '${name}'. Names starting with 'AWS.' or 'Amazon.' are reserved.`;
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) return `Invalid attribute name: '${name}'. A name cannot start or end with '.' nor hold '..'.`;
  return undefined;
}

function isStringArray(s: string): boolean {
  try {
    const a: unknown = JSON.parse(s);
    return Array.isArray(a) && a.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
  } catch {
    return false;
  }
}
