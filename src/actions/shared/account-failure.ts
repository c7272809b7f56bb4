import { errorMessage, VigilError } from '../../errors.ts';
import type { DeliveryResult } from '../types.ts';

/**
 * A failure to find or use an account other than the action's own (a channel, a sender, a recipient group) as a delivery
 * result: permanent, since another attempt finds the same accounts.
 */
export function accountFailure(e: unknown): DeliveryResult {
  if (e instanceof VigilError) return { ok: false, retry: false, code: e.code, message: e.message };
  return { ok: false, retry: false, code: 'ACCOUNT_ERROR', message: errorMessage(e) };
}
