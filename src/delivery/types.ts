import type { DeliveryFailureCode } from '../errors.ts';

/** Where the deliverer gets a decrypted account just before a send (the accounts registry). */
export interface AccountSource {
  /**
   * Throws VigilError ACCOUNT_NOT_FOUND, ACCOUNT_DECRYPT_FAILED, ACCOUNT_DISABLED for an account switched
   * off (unless `o.allowDisabled`, for load-time checks), and MISSING_PRIVILEGES when `o.tenant` (the
   * tenant of the watch using it) is not one of the tenants the account names.
   */
  resolve(type: string, id: string, o?: { tenant?: string; allowDisabled?: boolean }): Promise<unknown>;
  /** Which of `types` hold an account named `id` (a channel is found by its id alone). */
  holders(id: string, types: readonly string[]): Promise<string[]>;
}

/**
 * How a delivery ended. `pending`: cut short by the shutdown; the entry stays pending in the outbox and
 * is sent after the next start (so it is neither delivered nor failed).
 */
export interface DeliveryOutcome {
  status: 'delivered' | 'failed' | 'pending';
  attempts: number;
  error?: string;
  code?: DeliveryFailureCode;
  /** When delivered: the time it was (epoch ms). */
  at?: number;
}
