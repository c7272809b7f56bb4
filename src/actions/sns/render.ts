/**
 * What an SNS action renders into: the Publish parameters without credentials. SNS's limits are met
 * here rather than refused there: the subject becomes one line of at most 100 printable ASCII
 * characters (accents dropped, other characters as `?`), and the message is cut so that it and its
 * attributes stay within 256 KiB.
 */
import type { CompileEnv } from '../../checks/types.ts';
import type { CompiledAction, RenderedNotification } from '../types.ts';
import { compileLeaf, type LeafTemplate } from '../shared/json-template.ts';
import { firstLine, fitBytes } from '../shared/fit.ts';
import type { SnsParams } from './schema.ts';

export const SNS_MAX_SUBJECT = 100;
export const SNS_MAX_MESSAGE_BYTES = 262_144;

export interface SnsAttribute {
  name: string;
  data_type: 'String' | 'Number' | 'String.Array';
  value: string;
}

/** The rendered Publish request. */
export interface SnsRequest {
  /** The action's topic; the account's when absent. */
  topic_arn?: string;
  subject?: string;
  message: string;
  attributes: SnsAttribute[];
  /** Used for FIFO topics only. */
  message_group_id: string;
}

/** A subject SNS accepts, or undefined when nothing printable is left. */
export function snsSubject(text: string): string | undefined {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7E]/g, '?')
    .trim();
  if (ascii === '') return undefined;
  return ascii.length > SNS_MAX_SUBJECT ? `${ascii.slice(0, SNS_MAX_SUBJECT - 3)}...` : ascii;
}

/** Cuts the message so that it and its attributes fit SNS's limit. */
export function fitMessage(message: string, attributes: readonly SnsAttribute[]): string {
  const attrBytes = attributes.reduce((n, a) => n + Buffer.byteLength(a.name) + Buffer.byteLength(a.data_type) + Buffer.byteLength(a.value), 0);
  return fitBytes(message, SNS_MAX_MESSAGE_BYTES - attrBytes);
}

export function snsNotification(r: SnsRequest): RenderedNotification {
  return { kind: 'fire', request: r, summary: `sns${r.topic_arn ? ` ${r.topic_arn.split(':').pop()}` : ''}: ${firstLine(r.subject ?? r.message)}`, destination: 'sns' };
}

export function compileSns(p: SnsParams, env: CompileEnv): CompiledAction {
  // JSON-safe leaves: the text goes form-encoded, but a triple mustache stays refused as everywhere else.
  const message = compileLeaf(env, p.message, 'json', 'message');
  const subject = p.subject !== undefined ? compileLeaf(env, p.subject, 'json', 'subject') : undefined;
  const group = p.message_group_id !== undefined ? compileLeaf(env, p.message_group_id, 'json', 'message_group_id') : undefined;
  const attributes: Array<[string, SnsAttribute['data_type'], LeafTemplate]> = Object.entries(p.message_attributes ?? {}).map(([name, v]) =>
    typeof v === 'string' ? [name, 'String', compileLeaf(env, v, 'json', `message_attributes.${name}`)] : [name, v.data_type, compileLeaf(env, v.value, 'json', `message_attributes.${name}.value`)],
  );
  return {
    render(view, info) {
      const missing: string[] = [];
      const attrs = attributes.map(([name, data_type, t]) => ({ name, data_type, value: t.render(view, missing) }));
      const s = subject ? snsSubject(subject.render(view, missing)) : undefined;
      const r: SnsRequest = {
        ...(p.topic_arn !== undefined ? { topic_arn: p.topic_arn } : {}),
        ...(s !== undefined ? { subject: s } : {}),
        message: fitMessage(message.render(view, missing), attrs),
        attributes: attrs,
        message_group_id: (group?.render(view, missing) || `${info.tenant}.${info.watchId}`).slice(0, 128),
      };
      if (missing.length) info.reportMissing([...new Set(missing)]);
      return snsNotification(r);
    },
  };
}
