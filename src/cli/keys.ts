import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { keygen, rotateKeys } from '../accounts/cli.ts';
import { loadKeyRing } from '../accounts/keysource.ts';
import { builtinRegistry } from '../registry/builtin.ts';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { loadConfig } from '../config/load.ts';
import { parseCommand, processIo, usageError, type CliIo } from './args.ts';
import { openToolAccounts } from './backend.ts';
import { KEYGEN, ROTATE_KEYS } from './specs.ts';

/** `vigil keygen`: a new master key, on stdout or into a new 0600 file. */
export async function keygenCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseCommand(KEYGEN, args, io);
  if (!parsed.ok) return parsed.code;
  const out = parsed.values.out;
  if (out === undefined) {
    await keygen((line) => io.stdout(`${line}\n`));
    return 0;
  }
  // `vigil keygen > file` would leave the key readable by anyone the umask allows, and the key loader
  // refuses such a file; creating it here exclusively at 0600 gets it right the first time.
  let fh;
  try {
    fh = await open(resolve(out), 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError('CONFIG_INVALID', code === 'EEXIST' ? `${out} exists already; a key file is never overwritten` : `cannot create ${out}: ${code ?? 'error'}`);
  }
  try {
    await fh.writeFile(`${await keygen(() => undefined)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  io.stderr(`vigil keygen: new master key written to ${out} (mode 0600)\n`);
  return 0;
}

/** `vigil rotate-keys`: the registry's tested rotation (accounts/cli.ts), with progress on stderr, where the backend keeps the accounts. */
export async function rotateKeysCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseCommand(ROTATE_KEYS, args, io);
  if (!parsed.ok) return parsed.code;
  const { values } = parsed;
  const batchText = values['batch-size'];
  const batchSize = batchText === undefined ? undefined : Number(batchText);
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1)) {
    return usageError('rotate-keys', `--batch-size must be a positive whole number, got '${batchText}'`, io);
  }
  const config = loadConfig({ file: values.config, overrides: { accounts_dir: values.accounts && resolve(values.accounts) } });
  const keyring = await loadKeyRing({ keyFile: values['key-file'] ?? config.key_file });
  const accounts = await openToolAccounts(config, 'rotate-keys');
  const result = await rotateKeys({
    store: accounts.store,
    keyring,
    types: builtinRegistry(),
    ...(batchSize !== undefined ? { batchSize } : {}),
    logger: createLogger({ level: 'warn', destination: process.stderr as never }),
    onProgress: (p) => io.stderr(`vigil rotate-keys: ${p.done} of ${p.total} accounts (${p.failed} failed)\n`),
  }).finally(() => accounts.close());
  io.stdout(`${JSON.stringify(result)}\n`);
  return result.failed === 0 ? 0 : 1;
}
