import { describe, expect, it } from 'vitest';
import { clientKey, LoginGuard, type GuessTicket, type Refusal } from '../../src/security/login-guard.ts';
import { FakeClock } from '../kit/fake-clock.ts';

const admitted = (t: GuessTicket | Refusal): GuessTicket => {
  if ('reason' in t) throw new Error(`refused: ${t.reason} (${t.limit})`);
  return t;
};

describe('clientKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::ffff')).toBe(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'));
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
  });
});

describe('LoginGuard', () => {
  it('blocks a (user, address) pair, not the user elsewhere nor other users at the address', () => {
    const g = new LoginGuard({ clock: new FakeClock(), userAddress: { maxFailures: 3 } });
    for (let i = 0; i < 3; i++) admitted(g.admitGuess('kirk', '10.0.0.1')).settle('wrong');
    expect(g.admitGuess('kirk', '10.0.0.1')).toMatchObject({ reason: 'blocked', limit: 'user' });
    expect(g.blocked('kirk', '10.0.0.1')).toEqual({ reason: 'blocked', limit: 'user', retryMs: 60_000 });
    admitted(g.admitGuess('kirk', '10.0.0.2')).settle('right');
    admitted(g.admitGuess('spock', '10.0.0.1')).settle('right');
  });

  it('blocks password logins from an address after wrong passwords for many names', () => {
    const g = new LoginGuard({ clock: new FakeClock(), address: { maxFailures: 3 } });
    for (const u of ['a', 'b', 'c']) admitted(g.admitGuess(u, '10.0.0.1')).settle('wrong');
    expect(g.blocked('d', '10.0.0.1')).toEqual({ reason: 'blocked', limit: 'address', retryMs: 60_000 });
    expect(g.admitGuess('d', '10.0.0.1')).toMatchObject({ reason: 'blocked', limit: 'address' });
    expect('settle' in g.admitGuess('d', '10.0.0.2')).toBe(true);
  });

  it('failed requests of any kind put an address over its request limit, which does not block its password logins', () => {
    const g = new LoginGuard({ clock: new FakeClock(), address: { maxFailures: 3 }, addressRequests: { maxFailures: 4 } });
    admitted(g.admitGuess('a', '10.0.0.1')).settle('wrong');
    for (let i = 0; i < 2; i++) g.failedRequest('10.0.0.1');
    expect(g.requestsBlockedFor('10.0.0.1')).toBe(0);
    g.failedRequest('10.0.0.1');
    expect(g.requestsBlockedFor('10.0.0.1')).toBe(60_000);
    expect(g.requestsBlockedFor('10.0.0.2')).toBe(0);
    expect(g.blocked('kirk', '10.0.0.1')).toBeNull();
    admitted(g.admitGuess('kirk', '10.0.0.1')).settle('right');
  });

  it('caps hashes in flight per user (any address) and per address (any user)', () => {
    const g = new LoginGuard({ clock: new FakeClock(), maxHashesPerUser: 2, maxHashesPerAddress: 3 });
    const t1 = admitted(g.admitGuess('kirk', '10.0.0.1'));
    admitted(g.admitGuess('kirk', '10.0.0.2'));
    expect(g.admitGuess('kirk', '10.0.0.3')).toMatchObject({ reason: 'busy', limit: 'user' });
    admitted(g.admitGuess('spock', '10.0.0.1'));
    admitted(g.admitGuess('uhura', '10.0.0.1'));
    expect(g.admitGuess('sulu', '10.0.0.1')).toMatchObject({ reason: 'busy', limit: 'address' });
    t1.settle('wrong');
    t1.settle('wrong'); // settling twice changes nothing
    admitted(g.admitGuess('kirk', '10.0.0.3'));
    expect(g.admitGuess('kirk', '10.0.0.4')).toMatchObject({ reason: 'busy', limit: 'user' });
  });

  it('counts guesses at admission: parallel guesses from one pair get at most the allowed tries', () => {
    const g = new LoginGuard({ clock: new FakeClock(), userAddress: { maxFailures: 3 }, maxHashesPerUser: 100, maxHashesPerAddress: 100 });
    const answers = Array.from({ length: 40 }, () => g.admitGuess('kirk', '10.0.0.1'));
    expect(answers.filter((a) => 'settle' in a)).toHaveLength(3);
    expect(answers.slice(3).every((a) => 'reason' in a && a.reason === 'busy')).toBe(true);
  });

  it('a right password clears the pair failures; a void check gives its try back', () => {
    const g = new LoginGuard({ clock: new FakeClock(), userAddress: { maxFailures: 2 } });
    admitted(g.admitGuess('kirk', '10.0.0.1')).settle('wrong');
    admitted(g.admitGuess('kirk', '10.0.0.1')).settle('void');
    admitted(g.admitGuess('kirk', '10.0.0.1')).settle('right');
    admitted(g.admitGuess('kirk', '10.0.0.1')).settle('wrong');
    expect(g.blocked('kirk', '10.0.0.1')).toBeNull();
  });
});
