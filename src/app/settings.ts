/** The parts of the configuration that need reading or checking before the daemon is wired. */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { ClusterConfig } from '../cluster/types.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import { loadKeyRing } from '../accounts/keysource.ts';
import { AccountRegistry } from '../accounts/registry.ts';
import type { KeyRing } from '../accounts/keyring.ts';
import type { AccountDocStore } from '../accounts/doc-store.ts';
import { VigilError } from '../errors.ts';
import { awsCredentialsFromEnv } from '../net/aws/credentials.ts';
import type { AwsCredentials } from '../net/aws/sigv4.ts';

/** The `clusters` section as the cluster registry takes it (CA files read now). */
export function clusterConfigs(config: VigilConfig): ClusterConfig[] {
  return Object.entries(config.clusters).map(([name, c]) => {
    const out: ClusterConfig = { name, urls: c.urls };
    if (c.auth) out.auth = 'api_key' in c.auth ? { apiKey: c.auth.api_key } : c.auth;
    if (c.tls) out.tls = { ...(c.tls.ca_file ? { ca: readFileSync(c.tls.ca_file, 'utf8') } : {}), rejectUnauthorized: c.tls.verify };
    if (c.distribution) out.distribution = c.distribution;
    if (c.request_timeout_ms) out.requestTimeoutMs = c.request_timeout_ms;
    if (c.max_response_bytes) out.maxResponseBytes = c.max_response_bytes;
    if (c.impersonate) out.impersonate = true;
    return out;
  });
}

/**
 * The accounts registry and the master key ring, when a key is configured. Without a key there is no
 * registry, and a start over existing accounts is refused (CONFIG_INVALID): they could not be used.
 * `store`: where the accounts are kept when it is not the accounts folder (the cluster backend).
 */
export async function openAccounts(
  config: VigilConfig,
  o: { env: NodeJS.ProcessEnv; types: TypeRegistry; logger: Logger; clock: Clock; store?: AccountDocStore },
): Promise<{ accounts: AccountRegistry | null; keyring: KeyRing | null }> {
  if (o.store && (await hasAccounts(config.accounts_dir))) {
    o.logger.warn({ dir: config.accounts_dir }, `the accounts folder holds accounts, but this daemon keeps its accounts in the cluster (${o.store.where}); 'vigil migrate --to cluster' copies them there`);
  }
  if (config.key_file || o.env.VIGIL_MASTER_KEY) {
    const keyring = await loadKeyRing({ keyFile: config.key_file, env: o.env });
    const where = o.store ? { store: o.store } : { dir: config.accounts_dir };
    const accounts = await AccountRegistry.open({ ...where, keyring, types: o.types, logger: o.logger, clock: o.clock });
    return { accounts, keyring };
  }
  if (o.store ? (await o.store.listTypes()).length > 0 : await hasAccounts(config.accounts_dir)) {
    throw new VigilError('CONFIG_INVALID', `accounts exist in ${o.store?.where ?? config.accounts_dir} but no master key is set (VIGIL_MASTER_KEY or key_file)`);
  }
  return { accounts: null, keyring: null };
}

export async function hasAccounts(dir: string): Promise<boolean> {
  try {
    for (const t of await readdir(dir, { withFileTypes: true })) {
      if (t.isDirectory() && (await readdir(`${dir}/${t.name}`)).some((f) => f.endsWith('.json'))) return true;
    }
  } catch {
    // No accounts folder yet.
  }
  return false;
}

/**
 * The daemon's own AWS credentials, read once from the environment it was started with, for the AWS
 * accounts (SNS, SES) that carry no keys. Their values join `redactor` (the accounts registry's, the
 * last guard of API answers) so that they are scrubbed like an account's secrets; a half-set pair is
 * reported, as it is most likely a mistake.
 */
export function daemonAwsCredentials(
  env: Readonly<Record<string, string | undefined>>,
  o: { logger: Logger; redactor?: { add(secret: string): void } | undefined },
): AwsCredentials | undefined {
  const creds = awsCredentialsFromEnv(env);
  if (creds) {
    for (const s of [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]) if (s !== undefined) o.redactor?.add(s);
    o.logger.info({ temporary: creds.sessionToken !== undefined }, "AWS credentials in the environment: AWS accounts without keys sign with them");
  } else if (env.AWS_ACCESS_KEY_ID?.trim() || env.AWS_SECRET_ACCESS_KEY?.trim()) {
    o.logger.warn('only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set: the daemon has no AWS credentials of its own');
  }
  return creds;
}
