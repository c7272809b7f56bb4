/** The dead-man switch's heartbeat as the config describes it: a ping URL or a PagerDuty event. */
import type { VigilConfig } from '../config/schema.ts';
import type { HttpClient } from '../net/types.ts';
import { HttpError } from '../net/types.ts';
import type { AccountSource } from '../delivery/types.ts';
import { PD_DEFAULT_URL, type PagerdutyAccount } from '../actions/pagerduty/schema.ts';
import { VigilError } from '../errors.ts';

export interface Heartbeat {
  /** For logs: a host or an account, never the URL's path or query (a ping URL's path is its secret). */
  target: string;
  beat(signal: AbortSignal): Promise<void>;
}

/**
 * The heartbeat of `deadman`. Both kinds go through the egress-checked client, so its host must be
 * allowed (`egress.allow`) as any destination's. A failure names the host and what went wrong (status
 * or network error kind): neither the ping URL's path nor the integration key.
 */
export function heartbeatFor(d: NonNullable<VigilConfig['deadman']>, deps: { http: HttpClient; accounts: AccountSource | null; node: string }): Heartbeat {
  const timeouts = { totalTimeoutMs: d.timeout_ms, connectTimeoutMs: Math.min(d.timeout_ms, 5_000), maxResponseBytes: 16_384 };
  if (d.url !== undefined) {
    const url = d.url;
    const host = new URL(url).host;
    return {
      target: host,
      beat: async (signal) => {
        const res = await post(deps.http, { method: d.method, url, ...(d.method === 'POST' ? { headers: { 'content-type': 'text/plain' }, body: `vigil ${deps.node} alive` } : {}), ...timeouts, signal }, host);
        if (res < 200 || res >= 300) throw new Error(`${host} answered HTTP ${res}`);
      },
    };
  }
  const pd = d.pagerduty!;
  const dedupKey = pd.dedup_key ?? `vigil-deadman-${deps.node}`;
  return {
    target: `pagerduty account '${pd.account}'`,
    beat: async (signal) => {
      if (!deps.accounts) throw new Error(`pagerduty account '${pd.account}' cannot be read: no master key is configured`);
      let account: PagerdutyAccount;
      try {
        account = (await deps.accounts.resolve('pagerduty', pd.account)) as PagerdutyAccount;
      } catch (e) {
        throw new Error(e instanceof VigilError ? `${e.code}: pagerduty account '${pd.account}'` : `pagerduty account '${pd.account}' cannot be read`);
      }
      const url = account.url ?? PD_DEFAULT_URL;
      const host = new URL(url).host;
      const body = JSON.stringify({
        routing_key: account.integration_key,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary: `Vigil ${deps.node} heartbeat (dead-man switch)`, source: deps.node, severity: 'info' },
        client: 'Vigil',
      });
      const res = await post(deps.http, { method: 'POST', url, headers: { 'content-type': 'application/json' }, body, ...timeouts, signal }, host);
      if (res < 200 || res >= 300) throw new Error(`${host} answered HTTP ${res}`);
    },
  };
}

/** The status of the request; a network error, timeout or egress denial as its kind and the host only. */
async function post(http: HttpClient, req: Parameters<HttpClient['request']>[0], host: string): Promise<number> {
  try {
    return (await http.request(req)).status;
  } catch (e) {
    throw new Error(e instanceof HttpError ? `${e.kind} (${host})` : `request to ${host} failed`);
  }
}
