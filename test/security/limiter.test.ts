import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/security/limiter.ts';
import { FakeClock } from '../kit/fake-clock.ts';

describe('FailureLimiter', () => {
  it('blocks after maxFailures within the window, for blockMs', async () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 3, windowMs: 60_000, blockMs: 60_000 });
    expect(l.fail('u:a')).toBe(false);
    expect(l.fail('u:a')).toBe(false);
    expect(l.blockedFor('u:a')).toBe(0);
    expect(l.fail('u:a')).toBe(true);
    expect(l.blockedFor('u:a')).toBe(60_000);
    await clock.advance(59_000);
    expect(l.blockedFor('u:a')).toBe(1_000);
    l.succeed('u:a'); // a success does not lift an active block
    expect(l.blockedFor('u:a')).toBe(1_000);
    await clock.advance(1_000);
    expect(l.blockedFor('u:a')).toBe(0);
  });

  it('forgets failures older than the window', async () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 3, windowMs: 10_000, blockMs: 60_000 });
    l.fail('k');
    l.fail('k');
    await clock.advance(10_001);
    expect(l.fail('k')).toBe(false);
    expect(l.blockedFor('k')).toBe(0);
  });

  it('a success clears the counted failures of its key', () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 2 });
    l.fail('k');
    l.succeed('k');
    expect(l.fail('k')).toBe(false);
  });

  it('counts a try when it is admitted: tries in flight use up the allowance before any has failed', () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 3, blockMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      expect(l.refusal('k')).toBe(0);
      l.admit('k');
    }
    // Three guesses in flight, none failed yet: a fourth waits, and nothing is blocked.
    expect(l.refusal('k')).toBeGreaterThan(0);
    expect(l.blockedFor('k')).toBe(0);
    expect(l.fail('k', true)).toBe(false);
    expect(l.fail('k', true)).toBe(false);
    expect(l.refusal('k')).toBeGreaterThan(0);
    expect(l.fail('k', true)).toBe(true);
    expect(l.blockedFor('k')).toBe(60_000);
    expect(l.refusal('k')).toBe(60_000);
  });

  it('a released try gives its place back; a successful one clears the failures', () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 2 });
    l.admit('k');
    l.admit('k');
    expect(l.refusal('k')).toBeGreaterThan(0);
    l.release('k');
    expect(l.refusal('k')).toBe(0);
    l.fail('k', true);
    l.admit('k');
    l.succeed('k', true);
    expect(l.refusal('k')).toBe(0);
    expect(l.fail('k')).toBe(false);
  });

  it('failures during a block do not lengthen it', async () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 2, blockMs: 10_000 });
    l.fail('k');
    l.fail('k');
    await clock.advance(9_000);
    for (let i = 0; i < 10; i++) l.fail('k');
    expect(l.blockedFor('k')).toBe(1_000);
  });

  it('tracks at most maxKeys keys, dropping the least recently touched', () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 2, maxKeys: 1000 });
    for (let i = 0; i < 50_000; i++) l.fail(`a:10.0.${i >> 8}.${i & 255}`);
    expect(l.size).toBe(1000);
    l.fail('a:hot');
    l.fail('a:hot');
    expect(l.blockedFor('a:hot')).toBe(60_000);
    expect(l.size).toBe(1000);
  });

  it('never forgets a key with tries in flight to make room', () => {
    const clock = new FakeClock();
    const l = new FailureLimiter({ clock, maxFailures: 2, maxKeys: 10 });
    l.admit('busy');
    l.admit('busy');
    for (let i = 0; i < 100; i++) l.fail(`a:${i}`);
    expect(l.refusal('busy')).toBeGreaterThan(0);
    expect(l.size).toBeLessThanOrEqual(11);
  });
});
