/**
 * Every subcommand answers `--help`/`-h` with its usage (exit 0, nothing run), and a command line it
 * cannot understand with one line naming the command and the problem (exit 2), never a stack trace.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limited, vigil } from './spawn-vigil.ts';

let cwd: string;
beforeAll(() => {
  // An empty working directory: a command that ignored --help would leave data/ or accounts/ behind here.
  cwd = mkdtempSync(join(tmpdir(), 'vigil-help-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const STACK = /\n\s+at /;

const COMMANDS: Array<{ cmd: string[]; usage: RegExp }> = [
  { cmd: ['run'], usage: /^usage: vigil run \[--config FILE\]/ },
  { cmd: ['validate'], usage: /^usage: vigil validate PATH/ },
  { cmd: ['execute'], usage: /^usage: vigil execute FILE/ },
  { cmd: ['keygen'], usage: /^usage: vigil keygen/ },
  { cmd: ['rotate-keys'], usage: /^usage: vigil rotate-keys/ },
  { cmd: ['users'], usage: /^usage: vigil users <add\|token\|list\|delete>/ },
  { cmd: ['users', 'add'], usage: /^usage: echo PW \| vigil users add NAME/ },
  { cmd: ['users', 'token'], usage: /^usage: vigil users token NAME/ },
  { cmd: ['users', 'list'], usage: /^usage: vigil users list/ },
  { cmd: ['users', 'delete'], usage: /^usage: vigil users delete NAME/ },
  { cmd: ['security'], usage: /^usage: vigil security <export\|apply> DIR/ },
  { cmd: ['security', 'export'], usage: /^usage: vigil security export DIR/ },
  { cmd: ['security', 'apply'], usage: /^usage: vigil security apply DIR/ },
  { cmd: ['schema'], usage: /^usage: vigil schema \[--out DIR\]/ },
];

describe('vigil <command> --help', () => {
  it('prints the usage of every subcommand on stdout and exits 0, for --help and -h, without running it', async () => {
    const jobs = COMMANDS.flatMap(({ cmd, usage }) =>
      [['--help'], ['-h'], ['--help', '--bogus', 'extra']].map((flags) => async () => ({ cmd, usage, flags, res: await vigil([...cmd, ...flags], { cwd }) })),
    );
    for (const { cmd, usage, flags, res } of await limited(3, jobs)) {
      const what = `vigil ${[...cmd, ...flags].join(' ')}`;
      expect(res.code, what).toBe(0);
      expect(res.stdout, what).toMatch(usage);
      expect(res.stderr, what).toBe('');
    }
    // keygen --help printed no key, validate --help checked nothing, run --help started nothing:
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('the top-level usage lists every command', async () => {
    const res = await vigil(['--help']);
    expect(res.code).toBe(0);
    for (const { cmd } of COMMANDS) expect(res.stdout).toContain(`  ${cmd[0]} `);
  });
});

describe('argument errors', () => {
  it('an unknown option is one line naming the command and the option, plus the usage hint; exit 2', async () => {
    // A group (users, security) alone is asked through one of its subcommands.
    const firstSub: Record<string, string> = { users: 'list', security: 'export' };
    const full = (cmd: string[]) => (cmd.length === 1 && firstSub[cmd[0]!] ? [...cmd, firstSub[cmd[0]!]!] : cmd);
    const jobs = COMMANDS.map(({ cmd }) => async () => ({ cmd, res: await vigil([...full(cmd), '--bogus'], { cwd }) }));
    for (const { cmd, res } of await limited(3, jobs)) {
      const name = full(cmd).join(' ');
      expect(res.code, name).toBe(2);
      expect(res.stdout, name).toBe('');
      expect(res.stderr, name).toBe(`vigil ${name}: unknown option '--bogus'\nRun 'vigil ${name} --help' for usage.\n`);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a missing value, a missing or extra argument, a bad number: one line each, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['execute', 'w.json', '--cluster'], "vigil execute: option '--cluster' needs a value"],
      [['execute', 'w.json', '--cluster', '--simulate'], "vigil execute: option '--cluster' needs a value"],
      [['execute'], 'vigil execute: missing FILE (the watch to run)'],
      [['execute', 'a.json', 'b.json'], "vigil execute: too many arguments (from 'b.json' on)"],
      [['execute', 'w.json', '--timeout', 'soon'], "vigil execute: --timeout: invalid duration 'soon'"],
      [['execute', 'w.json', '--simulate=yes'], "vigil execute: option '--simulate' does not take a value"],
      [['validate'], 'vigil validate: missing PATH'],
      [['keygen', 'now'], "vigil keygen: unexpected argument 'now'"],
      [['rotate-keys', '--batch-size', 'ten'], "vigil rotate-keys: --batch-size must be a positive whole number, got 'ten'"],
      [['users', 'add', '--password-stdin'], 'vigil users add: missing NAME (the user name)'],
      [['users', 'add', 'kirk', '--role', 'admin'], 'vigil users add: pass the password on stdin with --password-stdin'],
      [['users', 'token', 'kirk', '--expires', 'forever'], "vigil users token: --expires: invalid duration 'forever'"],
      [['users', 'delete', '../etc'], "vigil users delete: '../etc' is not a valid user name"],
      [['users', 'frobnicate'], "vigil users: unknown subcommand 'frobnicate'"],
    ];
    const results = await limited(3, cases.map(([args]) => () => vigil(args, { cwd })));
    results.forEach((res, i) => {
      const [args, line] = cases[i]!;
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr.split('\n')[0], args.join(' ')).toContain(line);
      expect(res.stderr.trim().split('\n'), args.join(' ')).toHaveLength(2);
      expect(res.stderr, args.join(' ')).not.toMatch(STACK);
    });
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('unknown commands exit 2; a bare `vigil` prints the usage on stderr and exits 2', async () => {
    const [unknown, bare] = await Promise.all([vigil(['frobnicate']), vigil([])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("vigil: unknown command 'frobnicate'\nRun 'vigil --help' for the list of commands.\n");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^usage: vigil <command>/);
  });
});

describe('errors while running', () => {
  it('a user error is one line with the command name and exit 1, never a stack trace', async () => {
    const [noKey, noConfig, noFile] = await Promise.all([
      vigil(['rotate-keys', '--accounts', join(cwd, 'acc')], { cwd, env: { VIGIL_MASTER_KEY: undefined } }),
      vigil(['execute', 'w.json', '--config', join(cwd, 'missing.json')], { cwd }),
      vigil(['execute', join(cwd, 'missing-watch.json')], { cwd }),
    ]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toBe('vigil rotate-keys: no master key: set VIGIL_MASTER_KEY or pass --key-file (create a key with `vigil keygen`)\n');
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toBe(`${join(cwd, 'missing-watch.json')}: _: cannot read it (ENOENT)\n`);
    expect(noConfig.code).toBe(1);
    for (const r of [noKey, noConfig, noFile]) expect(r.stderr).not.toMatch(STACK);
  });

  it('an unexpected error is one line and a hint; VIGIL_DEBUG=1 shows where it happened', async () => {
    // A data folder that is a file: opening the state store fails with a plain Node error, not a VigilError.
    const notADir = join(cwd, 'not-a-dir');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(notADir, '');
    try {
      const [plain, debug] = await Promise.all([
        vigil(['users', 'list', '--data', notADir], { cwd }),
        vigil(['users', 'list', '--data', notADir], { cwd, env: { VIGIL_DEBUG: '1' } }),
      ]);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(/^vigil users: unexpected error: .+\n\(set VIGIL_DEBUG=1 to see where it happened\)\n$/);
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(STACK);
    } finally {
      rmSync(notADir, { force: true });
    }
  });
});
