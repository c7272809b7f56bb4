import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { usersCommand, type UsersIo } from '../../src/cli/users.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { Security } from '../../src/security/service.ts';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';

function io(stdin = ''): UsersIo & { out: string; err: string } {
  const o = { out: '', err: '' };
  return Object.assign(o, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: (s: string) => void (o.out += s),
    stderr: (s: string) => void (o.err += s),
    env: {},
  });
}

describe('vigil users', () => {
  let base: string;
  let data: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'vigil-users-'));
    data = join(base, 'data');
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('add (password on stdin), token (printed once), list, delete', async () => {
    const add = io('warp factor nine\n');
    expect(await usersCommand(['add', 'kirk', '--role', 'admin', '--password-stdin', '--data', data], add)).toBe(0);
    expect(add.out + add.err).not.toContain('warp factor nine');
    const tok = io();
    expect(await usersCommand(['token', 'kirk', '--data', data, '--expires', '30d'], tok)).toBe(0);
    const token = tok.out.trim();
    expect(token).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(tok.err).not.toContain(token);
    const list = io();
    expect(await usersCommand(['list', '--data', data], list)).toBe(0);
    expect(list.out).toBe('kirk\tadmin\n');

    const store = new SqliteStateStore(data);
    const s = await Security.open({ store: store.security, clock: systemClock, logger: silentLogger() });
    try {
      expect((await s.tokens.verify(token, Date.now()))?.user).toBe('kirk');
      expect(await s.users.checkPassword('kirk', 'warp factor nine')).toBe(true); // the trailing newline is not part of it
      expect(s.users.get('kirk')!.hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/);
    } finally {
      await s.close();
      await store.close();
    }
    const del = io();
    expect(await usersCommand(['delete', 'kirk', '--data', data], del)).toBe(0);
    expect(await usersCommand(['delete', 'kirk', '--data', data], io()).catch((e: Error) => e.message)).toMatch(/no user 'kirk'/);
  });

  it('refuses a password on the command line, a short password, a bad name', async () => {
    const noStdin = io();
    expect(await usersCommand(['add', 'spock', '--role', 'viewer', '--data', data], noStdin)).toBe(2);
    expect(noStdin.err).toContain('--password-stdin');
    const short = io('short\n');
    expect(await usersCommand(['add', 'spock', '--role', 'viewer', '--password-stdin', '--data', data], short)).toBe(1);
    expect(await usersCommand(['add', '../x', '--password-stdin', '--data', data], io('long enough pw'))).toBe(2);
  });

  it('an unknown role is refused before the password is read, listing the roles there are', async () => {
    const typo = io('long enough password\n');
    expect(await usersCommand(['add', 'uhura', '--role', 'admn', '--role', 'viewer', '--password-stdin', '--data', data], typo)).toBe(2);
    expect(typo.err).toBe("vigil users add: unknown role 'admn'; the roles are: admin, viewer, vigil_files, watch_manager\nRun 'vigil users add --help' for usage.\n");
    const list = io();
    await usersCommand(['list', '--data', data], list);
    expect(list.out).not.toContain('uhura');
  });

  it('says clearly when a daemon holds the data directory', async () => {
    const held = new SqliteStateStore(data);
    try {
      await expect(usersCommand(['list', '--data', data], io())).rejects.toMatchObject({ code: 'STATE_LOCKED' });
    } finally {
      await held.close();
    }
  });
});
