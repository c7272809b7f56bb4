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
 * Replaces every form of each secret with `[redacted]`, longest first so a secret containing another is
 * replaced whole. Secrets shorter than `minLength` are skipped: replacing every "ab" would shred the text
 * and reveal the secret by its gaps.
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>, minLength = 4): string {
  const needles = secrets.flatMap((s) => (s && s.length >= minLength ? secretForms(s) : [])).sort((a, b) => b.length - a.length);
  let out = text;
  for (const n of needles) if (out.includes(n)) out = out.split(n).join('[redacted]');
  return out;
}
