/**
 * Keeps secrets out of messages, results and logs (STYLE §7). The Slack webhook URL, the PagerDuty
 * integration key, the Jira token and webhook secret headers are credentials: any text that may have
 * seen them (a network error naming the URL, an echoed response body) passes through `scrub` first.
 */

export { redactUrl } from '../../net/redact.ts';

/**
 * Replaces every occurrence of each secret (and of its URL-encoded and base64 forms, which is how a
 * token travels in a path or a Basic header) with `[redacted]`. Secrets shorter than 4 characters are
 * ignored: replacing them would shred ordinary words.
 */
export function scrub(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s), encodeURI(s), Buffer.from(s).toString('base64')])) {
      out = out.split(form).join('[redacted]');
    }
    // A URL secret also leaks through its path alone (errors often print host and path separately).
    try {
      const u = new URL(s);
      if (u.pathname.length > 4) out = out.split(u.pathname).join('/[redacted]');
      if (u.search.length > 4) out = out.split(u.search).join('?[redacted]');
    } catch {
      /* not a URL */
    }
  }
  return out;
}

/** Cuts a response body for a message: bodies can be large, and only the start explains the failure. */
export function bodyExcerpt(body: string, max = 300): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
