/**
 * `vigil users …`: bootstrap and manage API users from the command line, on the backend the
 * configuration selects: a stopped daemon's data directory (the state store lock refuses a directory a
 * running daemon holds), or the cluster (no data directory, no lock).
 *
 *   echo PW | vigil users add NAME --role ROLE [--role ROLE…] --password-stdin [--data DIR] [--config FILE]
 *   vigil users token NAME [--name LABEL] [--expires 90d] [--data DIR]   (prints the token once)
 *   vigil users list [--data DIR]
 *   vigil users delete NAME [--data DIR]
 *
 * `--key-file FILE` or `VIGIL_MASTER_KEY` give the key ring (token pepper) like for the daemon.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { resolve } from 'node:path';
import { loadKeyRing } from '../accounts/keysource.ts';
import type { KeyRing } from '../accounts/keyring.ts';
import { systemClock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { parseDuration } from '../schedule/duration.ts';
import { isValidName } from '../security/roles.ts';
import { zodDetail } from '../error-detail.ts';
import { userSchema } from '../security/schemas.ts';
import { Security } from '../security/service.ts';
import { loadConfig } from '../config/load.ts';
import { parseCommand, usageError, wantsHelp, EXIT_USAGE } from './args.ts';
import { openToolState } from './backend.ts';
import { USERS, USERS_USAGE } from './specs.ts';

export interface UsersIo {
  stdin: AsyncIterable<Buffer | string>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): UsersIo => ({
  stdin: process.stdin,
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
});

async function readPassword(stdin: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stdin) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    size += b.length;
    if (size > 4096) throw new VigilError('INVALID_REQUEST', 'password on stdin is longer than 4096 bytes');
    chunks.push(b);
  }
  // One trailing newline (from echo) is not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function usersCommand(args: string[], io: UsersIo = defaultIo()): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || wantsHelp([sub])) {
    (sub === undefined ? io.stderr : io.stdout)(USERS_USAGE);
    return sub === undefined ? EXIT_USAGE : 0;
  }
  if (!Object.hasOwn(USERS, sub)) return usageError('users', `unknown subcommand '${sub}' (add, token, list, delete)`, io);
  const parsed = parseCommand<ParseArgsOptionsConfig>(USERS[sub as keyof typeof USERS], rest, io);
  if (!parsed.ok) return parsed.code;
  const values = parsed.values as {
    data?: string;
    config?: string;
    role?: string[];
    'password-stdin'?: boolean;
    description?: string;
    name?: string;
    expires?: string;
    'key-file'?: string;
  };
  const name = parsed.positionals[0];
  if (name !== undefined && !isValidName(name)) return usageError(`users ${sub}`, `'${name}' is not a valid user name ([A-Za-z0-9_.@-]{1,128})`, io);
  if (sub === 'add' && !values['password-stdin']) {
    return usageError('users add', 'pass the password on stdin with --password-stdin (never as an argument)', io);
  }
  let expiresMs: number | undefined;
  if (values.expires !== undefined) {
    try {
      expiresMs = parseDuration(values.expires);
    } catch (e) {
      return usageError('users token', `--expires: ${(e as Error).message}`, io);
    }
  }
  const config = loadConfig({ file: values.config, env: io.env, overrides: { data_dir: values.data && resolve(values.data) } });
  const keyFile = values['key-file'] ?? config.key_file;
  let ring: KeyRing | null = null;
  if (keyFile || io.env.VIGIL_MASTER_KEY) ring = await loadKeyRing({ keyFile, env: io.env });
  const state = await openToolState(config, 'users');
  const store = state.store;
  let security: Security;
  try {
    security = await Security.open({ store: store.security, clock: systemClock, logger: silentLogger(), keyring: ring });
  } catch (e) {
    await state.close();
    throw e;
  }
  try {
    switch (sub) {
      case 'add': {
        // Before the password is read: a typo in a role should not cost the operator a retyped password.
        const unknown = (values.role ?? []).filter((r) => !security.directory.role(r));
        if (unknown.length > 0) {
          const known = security.directory.docs('roles').map(([r]) => r).sort().join(', ');
          return usageError('users add', `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `'${r}'`).join(', ')}; the roles are: ${known}`, io);
        }
        const input = userSchema(false).safeParse({
          password: await readPassword(io.stdin),
          roles: values.role ?? [],
          ...(values.description !== undefined ? { description: values.description } : {}),
        });
        if (!input.success) {
          const lines = Object.entries(zodDetail(input.error.issues, { style: 'dotted' })).map(([p, l]) => `${p}: ${l.map((x) => x.error).join('; ')}`);
          io.stderr(`vigil users add: ${lines.join(', ')}\n`);
          return 1;
        }
        const roles = input.data.roles ?? [];
        const existing = security.users.get(name!);
        const { created } = await security.users.putUser(name!, { ...(existing && { backendRoles: existing.backendRoles, attributes: existing.attributes, reserved: existing.reserved, hidden: existing.hidden }), password: input.data.password, roles, description: input.data.description ?? existing?.description });
        io.stdout(`user '${name}' ${created ? 'created' : 'updated'} (roles: ${roles.join(', ') || 'none'})\n`);
        return 0;
      }
      case 'token': {
        if (!security.users.get(name!)) throw new VigilError('NOT_FOUND', `no user '${name}'`);
        const now = systemClock.now();
        const expiresAt = expiresMs !== undefined ? now + expiresMs : null;
        const { token, info } = await security.tokens.create(name!, now, { name: values.name, expiresAt });
        io.stderr(`token ${info.id} for '${name}'${info.expires_at ? `, expires ${info.expires_at}` : ''}; it is shown only once:\n`);
        io.stdout(`${token}\n`);
        return 0;
      }
      case 'list': {
        for (const u of security.users.list()) {
          const flags = [u.reserved ? 'reserved' : '', u.hidden ? 'hidden' : ''].filter(Boolean).join(',');
          io.stdout(`${u.name}\t${u.roles.join(',')}${flags ? `\t${flags}` : ''}\n`);
        }
        return 0;
      }
      case 'delete': {
        if (!(await security.users.delete(name!))) throw new VigilError('NOT_FOUND', `no user '${name}'`);
        io.stdout(`user '${name}' deleted\n`);
        return 0;
      }
      default:
        return usageError('users', `unknown subcommand '${sub}'`, io);
    }
  } finally {
    await security.close();
    await state.close();
  }
}
