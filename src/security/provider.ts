import type { Logger } from 'pino';
import type { KeyRing } from '../accounts/keyring.ts';
import type { Clock } from '../clock.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { Metrics } from '../metrics.ts';
import type { HttpClient } from '../net/types.ts';
import type { SecurityStore } from '../state/security-types.ts';
import type { LoginGuardOptions } from './login-guard.ts';
import { Security, type SecurityOptions } from './service.ts';

/**
 * What security takes from the daemon it runs in (the app provides all of it). Declared here, in terms
 * of lower layers, so that security does not depend on the app that builds it.
 */
export interface SecurityHost {
  store: { readonly security: SecurityStore };
  clock: Clock;
  logger: Logger;
  keyring: KeyRing | null;
  metrics: Metrics;
  http: HttpClient;
  config: Pick<VigilConfig, 'api' | 'watches_dir'>;
}

/**
 * Builds the API's AuthProvider (and the security service the security routes use) from the security
 * part of the app's state store. Peppers come from the app's key ring when one is loaded; login limits
 * from the configuration's `api.auth_failures` unless `o.limiter` says otherwise; JWKS URLs are fetched
 * through the app's egress-checked HTTP client; tenants are folders of the watches folder.
 */
export async function createAuthProvider(app: SecurityHost, o: Partial<SecurityOptions> = {}): Promise<Security> {
  return Security.open({
    store: app.store.security,
    clock: o.clock ?? app.clock,
    logger: app.logger,
    keyring: app.keyring,
    metrics: app.metrics,
    limiter: loginLimits(app.config.api.auth_failures),
    http: app.http,
    trustProxy: app.config.api.trust_proxy,
    watchesDir: app.config.watches_dir,
    ...(app.config.api.tls ? { tls: app.config.api.tls } : {}),
    ...o,
  });
}

/** `api.auth_failures` as login guard options. */
export function loginLimits(c: VigilConfig['api']['auth_failures']): LoginGuardOptions {
  const window = (w: typeof c.address) => ({ maxFailures: w.allowed_tries, windowMs: w.time_window_ms, blockMs: w.block_ms });
  return {
    userAddress: window(c.user_address),
    address: window(c.address),
    addressRequests: window(c.address_requests),
    maxKeys: c.max_tracked_clients,
    maxHashesPerUser: c.max_concurrent_hashes_per_user,
    maxHashesPerAddress: c.max_concurrent_hashes_per_address,
  };
}
