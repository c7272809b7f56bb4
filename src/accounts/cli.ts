/**
 * Helpers behind `vigil keygen` and `vigil rotate-keys` (the CLI parsing lives in src/cli/).
 */
import type { Logger } from 'pino';
import type { TypeRegistry } from '../registry/registry.ts';
import { systemClock, type Clock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { generateKey, type KeyRing } from './keyring.ts';
import type { AccountDocStore } from './doc-store.ts';
import { AccountRegistry, type RotateProgress, type RotateResult } from './registry.ts';

/** Generates a master key and writes it (base64, one line) through `write`; returns it too. */
export async function keygen(write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<string> {
  const key = await generateKey();
  write(key);
  return key;
}

export interface RotateKeysOptions {
  /** The accounts folder, unless `store` says where the accounts are kept. */
  dir?: string;
  store?: AccountDocStore;
  keyring: KeyRing;
  types: TypeRegistry;
  /** Default 100. */
  batchSize?: number;
  logger?: Logger;
  clock?: Clock;
  onProgress?: (p: RotateProgress) => void | Promise<void>;
}

/**
 * Opens the registry (which verifies the key ring first) and rewraps every secret under the active key.
 * Safe to run again after an interruption. With an accounts folder, run it while the daemon is stopped
 * (or use the daemon's REST API): two processes rewriting the same files do not coordinate. On the
 * cluster every rewrite is conditional on the version it read, so it may run beside daemons.
 */
export async function rotateKeys(o: RotateKeysOptions): Promise<RotateResult> {
  const registry = await AccountRegistry.open({
    ...(o.store ? { store: o.store } : { dir: o.dir }),
    keyring: o.keyring,
    types: o.types,
    logger: o.logger ?? createLogger(),
    clock: o.clock ?? systemClock,
  });
  return registry.rotate({ batchSize: o.batchSize ?? 100 }, o.onProgress);
}
