import { parseArgs } from 'node:util';
import { generateKey } from '../accounts/keyring.ts';
import { loadKeyRing } from '../accounts/keysource.ts';
import { AccountRegistry } from '../accounts/registry.ts';
import { actionTypes } from '../actions/index.ts';
import { createLogger } from '../log.ts';
import { systemClock } from '../clock.ts';
import { resolve } from 'node:path';

/** `vigil keygen`: a new master key, base64, on stdout (nothing else, so it can be piped). */
export async function keygenCommand(): Promise<number> {
  process.stdout.write(`${await generateKey()}\n`);
  return 0;
}

/** `vigil rotate-keys`: rewraps every secret to the active key; safe to re-run after a crash. */
export async function rotateKeysCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { accounts: { type: 'string', default: './accounts' }, 'key-file': { type: 'string' }, 'batch-size': { type: 'string' } },
  });
  const logger = createLogger({ level: 'warn' });
  const keyring = await loadKeyRing({ keyFile: values['key-file'] });
  const registry = await AccountRegistry.open({ dir: resolve(values.accounts!), keyring, types: actionTypes, logger, clock: systemClock });
  const result = await registry.rotate(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {});
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.failed === 0 ? 0 : 1;
}
