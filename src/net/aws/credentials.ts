/**
 * The credentials an AWS request is signed with: an account's long-term keys as they are, or, when it
 * names a role, temporary keys from STS `AssumeRole` (signed with the long-term keys), cached per role
 * and external id until shortly before they expire (see `token-cache.ts`).
 */
import type { Clock } from '../../clock.ts';
import type { HttpClient } from '../types.ts';
import { cacheKey, TokenCache } from '../token-cache.ts';
import type { AwsCredentials } from './sigv4.ts';
import { assumeRole, type TemporaryCredentials } from './sts.ts';

/** Where credentials come from: long-term keys, and optionally a role to assume with them. */
export interface CredentialSource {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
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
    const longTerm = { accessKeyId: src.accessKeyId, secretAccessKey: src.secretAccessKey };
    if (src.roleArn === undefined) return { credentials: longTerm, assumed: false };
    const roleArn = src.roleArn;
    const credentials = await this.#cache.get(keyOf(src), () => deps.clock.now(), () =>
      assumeRole(deps.http, {
        endpoint: src.stsEndpoint,
        region: src.region,
        credentials: longTerm,
        roleArn,
        externalId: src.externalId,
        // Shows in the role's CloudTrail entries: who assumed it, and when.
        sessionName: `vigil-${Math.floor(deps.clock.now() / 1000)}`,
        now: deps.clock.now(),
        signal: deps.signal,
      }),
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
  return cacheKey(src.stsEndpoint, src.region, src.roleArn, src.externalId, src.accessKeyId, src.secretAccessKey);
}
