/**
 * The two card shapes Teams takes, filled from a title, a text and a severity:
 * - an Adaptive Card (schema 1.4, which Teams renders everywhere) in the message envelope Workflows
 *   webhooks and connectors accept: `{"type":"message","attachments":[{contentType, contentUrl, content}]}`;
 * - a legacy connector MessageCard (`summary`, `themeColor`, `title`, `text`).
 * Severity picks the colour: the title's container style in an Adaptive Card, `themeColor` in a
 * MessageCard. Everything is built as objects and serialised once, so the JSON is valid whatever the
 * text holds.
 */
import { CUT_MARKER, firstLine } from '../shared/fit.ts';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Teams refuses (or, through Workflows, silently drops) messages over 28 KB. */
export const TEAMS_MAX_BYTES = 28 * 1024;

type Style = 'default' | 'accent' | 'warning' | 'attention';

/** Severity level id → Adaptive Card container style and MessageCard colour. */
const SEVERITY: Record<string, { style: Style; color: string }> = {
  info: { style: 'accent', color: '0078D7' },
  warning: { style: 'warning', color: 'FFB900' },
  error: { style: 'attention', color: 'D13438' },
  critical: { style: 'attention', color: 'A80000' },
};
const NONE = { style: 'default' as Style, color: '8A8886' };

export const severityLook = (level: string | undefined) => (level !== undefined && SEVERITY[level]) || NONE;

export interface MessageEnvelope {
  type: 'message';
  attachments: Array<{ contentType: string; contentUrl: null; content: unknown }>;
}

/** Wraps Adaptive Card contents in the message envelope. */
export function envelope(card: unknown): MessageEnvelope {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }] };
}

/** Vigil's Adaptive Card: the title in a container of the severity's style, then the text. */
export function adaptiveCard(title: string | undefined, text: string | undefined, severity: string | undefined): Record<string, unknown> {
  const look = severityLook(severity);
  const body: unknown[] = [];
  if (title) {
    body.push({
      type: 'Container',
      style: look.style,
      bleed: true,
      items: [{ type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true }],
    });
  }
  if (text) body.push({ type: 'TextBlock', text, wrap: true });
  return { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' }, body };
}

/** Vigil's MessageCard: `summary` is what notifications show, so it is never empty. */
export function messageCard(title: string | undefined, text: string | undefined, severity: string | undefined): Record<string, unknown> {
  const card: Record<string, unknown> = {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: firstLine(title || text || 'Vigil notification', 80) || 'Vigil notification',
    themeColor: severityLook(severity).color,
  };
  if (title) card.title = title;
  if (text) card.text = text;
  return card;
}

/**
 * The payload for a title and text, cut to Teams' limit: the text gives way first (it is what grows
 * with the data), then the title. The cut is found by bisection on the payload's own size, since JSON
 * escaping makes a character cost one to six bytes.
 */
export function fittedPayload(format: 'adaptive_card' | 'message_card', title: string | undefined, text: string | undefined, severity: string | undefined): unknown {
  const build = (t: string | undefined, x: string | undefined) => (format === 'message_card' ? messageCard(t, x, severity) : envelope(adaptiveCard(t, x, severity)));
  const fits = (p: unknown) => Buffer.byteLength(JSON.stringify(p)) <= TEAMS_MAX_BYTES;
  const whole = build(title, text);
  if (fits(whole)) return whole;
  const longest = (s: string, make: (cut: string) => unknown): string => {
    // Every character costs at least one byte of the payload: no more than the limit's worth can fit.
    const chars: string[] = [];
    for (const ch of s) if (chars.push(ch) >= TEAMS_MAX_BYTES) break;
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(make(chars.slice(0, mid).join('') + CUT_MARKER))) lo = mid;
      else hi = mid - 1;
    }
    return lo === 0 ? '' : chars.slice(0, lo).join('') + CUT_MARKER;
  };
  const x = text ? longest(text, (cut) => build(title, cut)) : text;
  if (x) return build(title, x);
  const t = title ? longest(title, (cut) => build(cut, undefined)) : title;
  return build(t, undefined);
}
