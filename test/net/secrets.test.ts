import { describe, expect, it } from 'vitest';
import { SUBSTRING_MIN_LENGTH, scrubSecrets } from '../../src/secrets.ts';

describe('scrubSecrets', () => {
  it('replaces every travelling form of a secret', () => {
    const s = 'p@ss w/rd';
    const text = `raw ${s} url ${encodeURIComponent(s)} b64 ${Buffer.from(s).toString('base64')} json ${JSON.stringify(s)}`;
    expect(scrubSecrets(text, [s])).toBe('raw [redacted] url [redacted] b64 [redacted] json "[redacted]"');
  });

  it(`replaces secrets shorter than ${SUBSTRING_MIN_LENGTH} characters only as whole tokens`, () => {
    expect(scrubSecrets('password: pass; passport pass', ['pass'])).toBe('password: [redacted]; passport [redacted]');
    expect(scrubSecrets('Invalid key', ['val'], 3)).toBe('Invalid key');
    expect(scrubSecrets('tokenABCDEFGH1 and ABCDEFGH1', ['ABCDEFGH1'])).toBe('token[redacted] and [redacted]');
  });

  it('skips secrets below the minimum length', () => {
    expect(scrubSecrets('a b c', ['a'])).toBe('a b c');
  });
});
