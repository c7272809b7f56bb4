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
});
