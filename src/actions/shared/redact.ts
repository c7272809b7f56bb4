/**
 * Keeps secrets out of messages, results and logs. The Slack webhook URL, the PagerDuty
 * integration key, the Jira token and webhook secret headers are credentials: any text that may have
 * seen them (a network error naming the URL, an echoed response body) passes through `scrub` first.
 */

export { redactUrl } from '../../net/redact.ts';
import { scrubSecrets } from '../../secrets.ts';

/**
 * Scrubs every secret in its travelling forms (src/secrets.ts), and a URL secret's path and query alone:
 * errors often print host and path separately.
 */
export function scrub(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = scrubSecrets(text, secrets);
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
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
