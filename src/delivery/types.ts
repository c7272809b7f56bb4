/** Where the deliverer gets a decrypted account just before a send (the accounts registry). */
export interface AccountSource {
  /** Throws VigilError ACCOUNT_NOT_FOUND or ACCOUNT_DECRYPT_FAILED. */
  resolve(type: string, id: string): Promise<unknown>;
}

export interface DeliveryOutcome {
  status: 'delivered' | 'failed';
  attempts: number;
  error?: string;
  code?: string;
  /** When delivered: the time it was (epoch ms). */
  at?: number;
}
