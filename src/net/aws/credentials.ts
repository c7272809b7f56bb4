/**
 * The credentials an AWS request is signed with: base credentials as they are (an account's long-term
 * keys, or the daemon's own from its environment), or, when the account names a role, temporary keys
 * from STS `AssumeRole` (signed with the base credentials), cached per role and external id until
 * shortly before they expire (see `token-cache.ts`).
 */
import type { Clock } from '../../clock.ts';
import type { HttpClient } from '../types.ts';
import { cacheKey, TokenCache } from '../token-cache.ts';
import type { AwsCredentials } from './sigv4.ts';
import { assumeRole, type TemporaryCredentials } from './sts.ts';

/**
 * The daemon's own AWS credentials, from the environment it was started with (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, and `AWS_SESSION_TOKEN` for temporary ones), as the AWS SDKs read them;
 * undefined unless both keys are set. No other source (shared files, instance metadata) is consulted.
 */
export function awsCredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): AwsCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** Where credentials come from: base credentials, and optionally a role to assume with them. */
export interface CredentialSource {
  /** An account's long-term keys, or the daemon's own credentials. */
  readonly base: AwsCredentials;
  readonly roleArn?: string | undefined;
  readonly externalId?: string | undefined;
  /** The STS endpoint (used only with a role). */
  readonly stsEndpoint: string;
  /** The signing region for STS. */
  readonly region: string;
}

/** Credentials for one request, and how to report that the service refused them. */
export interface ResolvedCredentials {
  readonly credentials: AwsCredentials;
  /** Whether they are temporary (from AssumeRole). */
  readonly assumed: boolean;
}

export class AwsCredentialProvider {
  readonly #cache: TokenCache<TemporaryCredentials>;

  constructor(maxEntries?: number) {
    this.#cache = new TokenCache(maxEntries);
  }

  /**
   * The credentials to sign with. Throws what `assumeRole` throws (AwsServiceError, HttpError) when a
   * role must be assumed and STS refuses or cannot be reached.
   */
  async resolve(src: CredentialSource, deps: { http: HttpClient; clock: Clock; signal?: AbortSignal | undefined }): Promise<ResolvedCredentials> {
    if (src.roleArn === undefined) return { credentials: src.base, assumed: false };
    const roleArn = src.roleArn;
    const credentials = await this.#cache.get(keyOf(src), () => deps.clock.now(), (shared) =>
      assumeRole(deps.http, {
        endpoint: src.stsEndpoint,
        region: src.region,
        credentials: src.base,
        roleArn,
        externalId: src.externalId,
        // Shows in the role's CloudTrail entries: who assumed it, and when.
        sessionName: `vigil-${Math.floor(deps.clock.now() / 1000)}`,
        now: deps.clock.now(),
        signal: shared,
      }),
      deps.signal,
    );
    return { credentials, assumed: true };
  }

  /** Forgets the temporary credentials of `src` (the service called them expired or invalid), unless newer ones replaced `stale`. */
  invalidate(src: CredentialSource, stale: AwsCredentials): void {
    this.#cache.invalidate(keyOf(src), stale as TemporaryCredentials);
  }

  clear(): void {
    this.#cache.clear();
  }
}

function keyOf(src: CredentialSource): string {
  return cacheKey(src.stsEndpoint, src.region, src.roleArn, src.externalId, src.base.accessKeyId, src.base.secretAccessKey, src.base.sessionToken);
}
