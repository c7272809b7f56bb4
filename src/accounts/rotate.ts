/**
 * The rotation loop: rewrap account by account, in batches, reporting
 * progress after each batch and yielding to the event loop between batches so a running daemon stays
 * responsive. One account that fails (a secret that no longer decrypts) is counted and skipped; the
 * others go on. Progress lives on disk (each file is rewritten atomically to the active kid), so a
 * crashed rotation is resumed simply by running it again.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.ts';

export interface RotateOptions {
  /** Accounts per batch (progress is reported after each). Default 100. */
  batchSize?: number;
}

export interface RotateResult {
  /** Accounts examined. */
  total: number;
  /** Accounts whose secrets are all on the active kid now (already, or rewrapped). */
  successful: number;
  /** Accounts with a secret that could not be rewrapped (they keep their old envelopes). */
  failed: number;
}

export interface RotateProgress extends RotateResult {
  /** Accounts examined so far. */
  done: number;
}

export async function runRotation(
  accounts: ReadonlyArray<{ type: string; id: string }>,
  opts: RotateOptions,
  onProgress: ((p: RotateProgress) => void | Promise<void>) | undefined,
  rewrapOne: (type: string, id: string) => Promise<void>,
  logger: Logger,
): Promise<RotateResult> {
  const batchSize = opts.batchSize ?? 100;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const res: RotateResult = { total: accounts.length, successful: 0, failed: 0 };
  for (let i = 0; i < accounts.length; i += batchSize) {
    for (const { type, id } of accounts.slice(i, i + batchSize)) {
      try {
        await rewrapOne(type, id);
        res.successful++;
      } catch (e) {
        res.failed++;
        logger.warn({ accountType: type, account: id, error: errorMessage(e) }, 'key rotation could not rewrap an account');
      }
    }
    await onProgress?.({ ...res, done: Math.min(i + batchSize, accounts.length) });
    await yieldToLoop();
  }
  logger.info({ ...res }, 'key rotation finished');
  return res;
}
