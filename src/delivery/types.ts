import type { DeliveryFailureCode } from '../errors.ts';

/** Where the deliverer gets a decrypted account just before a send (the accounts registry). */
export interface AccountSource {
  /**
   * Throws VigilError ACCOUNT_NOT_FOUND or ACCOUNT_DECRYPT_FAILED, and MISSING_PRIVILEGES when `o.tenant`
   * (the tenant of the watch using it) is not one of the tenants the account names.
   */
  resolve(type: string, id: string, o?: { tenant?: string }): Promise<unknown>;
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
