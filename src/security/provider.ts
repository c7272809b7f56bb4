import type { App } from '../app.ts';
import { Security, type SecurityOptions } from './service.ts';

/**
 * Builds the API's AuthProvider (and the security service the security routes use) from the users,
 * roles and tokens in the app's state store. Peppers come from the app's key ring when one is loaded.
 */
export async function createAuthProvider(app: App, o: Partial<Omit<SecurityOptions, 'db'>> = {}): Promise<Security> {
  return Security.open({ db: app.store.db, clock: o.clock ?? app.clock, logger: app.logger, keyring: app.keyring, ...o });
}
