import { formsRegex } from '../secrets.ts';

/**
 * A redactor for free text (error messages from remote servers, log lines, watch-log entries): the
 * registry adds every secret it decrypts, and `scrub` replaces each occurrence — also in URL-encoded and
 * JSON-escaped form, since secrets often come back quoted in those shapes — with `[redacted]`. Forms
 * shorter than SUBSTRING_MIN_LENGTH (src/secrets.ts) are replaced only as whole tokens, so a short
 * secret does not shred the words that happen to contain it.
 *
 * Very short secrets are not scrubbed (replacing every "ab" in a text would make it unreadable and would
 * itself reveal the secret); `minLength` sets the bound. The set is bounded: the oldest secrets are
 * dropped first when `maxEntries` is reached.
 */
export interface Redactor {
  /** Remembers a secret (and its encoded forms). */
  add(secret: string): void;
  /** The text with every known secret replaced by `[redacted]`. */
  scrub(text: string): string;
  /** How many distinct forms are remembered. */
  readonly size: number;
  clear(): void;
}

export interface RedactorOptions {
  /** Secrets shorter than this are ignored. Default 4. */
  minLength?: number;
  /** At most this many forms are kept, oldest dropped first. Default 10 000. */
  maxEntries?: number;
  /** Replacement text. Default `[redacted]`. */
  censor?: string;
}

export function createRedactor(opts: RedactorOptions = {}): Redactor {
  const minLength = opts.minLength ?? 4;
  const maxEntries = opts.maxEntries ?? 10_000;
  const censor = opts.censor ?? '[redacted]';
  // A Set keeps insertion order, which doubles as the eviction order.
  const forms = new Set<string>();
  let pattern: RegExp | null | undefined;

  const remember = (form: string) => {
    if (form.length < minLength) return;
    forms.delete(form);
    forms.add(form);
    while (forms.size > maxEntries) forms.delete(forms.values().next().value!);
    pattern = undefined;
  };

  return {
    add(secret: string) {
      if (typeof secret !== 'string' || secret.length < minLength) return;
      remember(secret);
      remember(encodeURIComponent(secret));
      remember(JSON.stringify(secret).slice(1, -1));
    },
    scrub(text: string) {
      if (forms.size === 0 || !text) return text;
      // Longest first, so a secret that contains another is replaced whole.
      if (pattern === undefined) pattern = formsRegex(forms);
      return pattern ? text.replace(pattern, censor) : text;
    },
    get size() {
      return forms.size;
    },
    clear() {
      forms.clear();
      pattern = undefined;
    },
  };
}
