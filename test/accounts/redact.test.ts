import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/accounts/redact.ts';

describe('createRedactor', () => {
  it('scrubs secrets, their URL-encoded and JSON-escaped forms, longest first', () => {
    const r = createRedactor();
    r.add('p@ss w"rd/1');
    r.add('token-abc');
    r.add('token-abcdef');
    const text = `auth p@ss w"rd/1 url ?pw=${encodeURIComponent('p@ss w"rd/1')} json ${JSON.stringify({ pw: 'p@ss w"rd/1' })} t=token-abcdef t=token-abc`;
    const out = r.scrub(text);
    expect(out).toBe('auth [redacted] url ?pw=[redacted] json {"pw":"[redacted]"} t=[redacted] t=[redacted]');
  });

  it('ignores too-short secrets, treats regex characters literally, and stays bounded', () => {
    const r = createRedactor({ maxEntries: 2 });
    r.add('ab');
    expect(r.size).toBe(0);
    r.add('a.*b');
    expect(r.scrub('axxb a.*b')).toBe('axxb [redacted]');
    r.add('second');
    r.add('third1');
    expect(r.size).toBe(2);
    expect(r.scrub('a.*b second third1')).toBe('a.*b [redacted] [redacted]');
    r.clear();
    expect(r.scrub('second')).toBe('second');
  });

  it('replaces a short secret only as a whole token, never inside another word', () => {
    const r = createRedactor({ minLength: 1 });
    r.add('v');
    r.add('ab12');
    expect(r.scrub('Invalid key')).toBe('Invalid key');
    expect(r.scrub('Invalid input: expected string, received "v"')).toBe('Invalid input: expected string, received "[redacted]"');
    expect(r.scrub('user:ab12@host ?k=ab12&x=1 ab123 xab12 ab12')).toBe('user:[redacted]@host ?k=[redacted]&x=1 ab123 xab12 [redacted]');
    // Letters beyond ASCII are part of words too.
    expect(r.scrub('über vé v')).toBe('über vé [redacted]');
  });

  it('still replaces a long secret wherever it occurs, and short secrets whose edges are not letters', () => {
    const r = createRedactor();
    r.add('s3cr3t-value');
    r.add('!#$%');
    expect(r.scrub('xxs3cr3t-valuexx')).toBe('xx[redacted]xx');
    expect(r.scrub('a!#$%b')).toBe('a[redacted]b');
  });
});

