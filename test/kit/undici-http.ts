/**
 * The HttpClient for action tests: the daemon's real client (src/net/http.ts: undici, timeouts, body
 * cap, no redirects, connect-time egress check), with loopback allowed so the local receivers on
 * 127.0.0.1 are reachable; and the daemon's real egress check for SMTP and SOCKS with the same policy.
 */
import type { HttpClient } from '../../src/net/types.ts';
import { createHostCheck, type HostCheck } from '../../src/net/host-check.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { createEgressPolicy } from '../../src/net/egress.ts';
import { silentLogger } from '../../src/log.ts';

export function createTestHttpClient(defaults: { readTimeoutMs?: number; connectTimeoutMs?: number } = {}): HttpClient {
  return createHttpClient({
    policy: createEgressPolicy({ allow: ['127.0.0.0/8'] }, {}),
    logger: silentLogger(),
    defaults: { readTimeoutMs: defaults.readTimeoutMs ?? 2000, connectTimeoutMs: defaults.connectTimeoutMs ?? 2000 },
  });
}

/** The egress check for SMTP and SOCKS connections, loopback allowed (names resolve as the OS says). */
export function createTestHostCheck(): HostCheck {
  return createHostCheck(createEgressPolicy({ allow: ['127.0.0.0/8'] }, {}), silentLogger());
}
