/**
 * The one definition of "a secret, as it travels": the raw value, URL-encoded (a token in a path or a
 * query), base64 (a Basic header, SMTP AUTH) and JSON-escaped (a value quoted back in an error body).
 * Every scrubber (actions, email protocol log, cluster errors, the accounts redactor) matches these forms,
 * so a leak through one encoding is not caught in one place and missed in another.
 */
export function secretForms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), encodeURI(secret), Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1)])];
}

/**
 * Forms at least this long are replaced wherever they occur. Shorter ones are replaced only as whole
 * tokens: a two-letter password is far more often part of another word ("In[redacted]alid key" for a
 * secret `v`) than the secret itself, and shredding those words would also point at the secret.
 */
export const SUBSTRING_MIN_LENGTH = 8;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD_START = /^[\p{L}\p{N}_]/u;
const WORD_END = /[\p{L}\p{N}_]$/u;

/**
 * A regular-expression source that matches `form` as scrubbing should: anywhere when it is long, else
 * only where it is not joined to a letter, digit or `_` on a side where it begins or ends with one.
 * For a regex with the `u` flag.
 */
export function formPattern(form: string): string {
  const escaped = escapeRe(form);
  if (form.length >= SUBSTRING_MIN_LENGTH) return escaped;
  return `${WORD_START.test(form) ? '(?<![\\p{L}\\p{N}_])' : ''}${escaped}${WORD_END.test(form) ? '(?![\\p{L}\\p{N}_])' : ''}`;
}

/** One regex (global, unicode) for all `forms`, longest first so a form containing another is replaced whole; null for none. */
export function formsRegex(forms: Iterable<string>): RegExp | null {
  const alts = [...new Set(forms)].filter((f) => f.length > 0).sort((a, b) => b.length - a.length).map(formPattern);
  return alts.length ? new RegExp(alts.join('|'), 'gu') : null;
}

/**
 * Replaces every form of each secret with `[redacted]` (as formPattern says: short forms only as whole
 * tokens). Secrets shorter than `minLength` are skipped: replacing every "ab" would shred the text and
 * reveal the secret by its gaps.
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>, minLength = 4): string {
  const re = formsRegex(secrets.flatMap((s) => (s && s.length >= minLength ? secretForms(s) : [])));
  return re ? text.replace(re, '[redacted]') : text;
}
