/**
 * The AWS account the stand-ins share: long-term IAM user keys, and the temporary keys the STS
 * stand-in issues (each with its session token and expiry). SNS and SES look keys up here, so keys
 * issued by STS are accepted by them — with their session token and until they expire — as in AWS.
 */
import { randomBytes } from 'node:crypto';
import type { SigV4Key } from './sigv4-verify.ts';

export interface AwsUserKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** `arn:aws:iam::<account>:user/<name>` */
  userArn: string;
}

export interface AwsSessionKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiresAt: number;
  roleArn: string;
  sessionName: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  assumedRoleArn: string;
}

export const DEFAULT_ACCOUNT = '123456789012';

/** A key pair for tests: `AKIA` + 16 characters, a 40-character secret with `/` and `+` in it. */
export const TEST_USER: AwsUserKey = {
  accessKeyId: 'AKIAVIGILTEST0000001',
  secretAccessKey: 'vIgIl/Test+Secret0Key/For+StandIns0abcde',
  userArn: `arn:aws:iam::${DEFAULT_ACCOUNT}:user/vigil`,
};

export class AwsKeyring {
  readonly accountId: string;
  private readonly users = new Map<string, AwsUserKey>();
  private readonly sessions = new Map<string, AwsSessionKey>();

  constructor(opts: { accountId?: string; users?: AwsUserKey[] } = {}) {
    this.accountId = opts.accountId ?? DEFAULT_ACCOUNT;
    for (const u of opts.users ?? [TEST_USER]) this.users.set(u.accessKeyId, u);
  }

  addUser(u: AwsUserKey): void {
    this.users.set(u.accessKeyId, u);
  }

  /** Forgets a key (a deleted or deactivated IAM key): requests signed with it get `unknown-key`. */
  remove(accessKeyId: string): void {
    this.users.delete(accessKeyId);
    this.sessions.delete(accessKeyId);
  }

  /** Issues temporary credentials for an assumed role (`ASIA…` key, opaque session token). */
  issueSession(roleArn: string, sessionName: string, expiresAt: number): AwsSessionKey {
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const s: AwsSessionKey = {
      accessKeyId: `ASIA${randomId(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      // Real session tokens are long base64 with `/`, `+` and `=`: a client that does not encode the
      // header or query value breaks on them.
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(180).toString('base64')}`,
      expiresAt,
      roleArn,
      sessionName,
      assumedRoleArn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${sessionName}`,
    };
    this.sessions.set(s.accessKeyId, s);
    return s;
  }

  /** The user or session behind an access key, for authorization decisions. */
  principal(accessKeyId: string): { arn: string; session?: AwsSessionKey } | undefined {
    const u = this.users.get(accessKeyId);
    if (u) return { arn: u.userArn };
    const s = this.sessions.get(accessKeyId);
    return s ? { arn: s.assumedRoleArn, session: s } : undefined;
  }

  /** The verifier's key lookup. */
  readonly lookup = (accessKeyId: string): SigV4Key | undefined => {
    const u = this.users.get(accessKeyId);
    if (u) return { accessKeyId: u.accessKeyId, secretAccessKey: u.secretAccessKey };
    const s = this.sessions.get(accessKeyId);
    return s && { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiresAt: s.expiresAt };
  };
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function randomId(n: number): string {
  let s = '';
  for (const b of randomBytes(n)) s += ID_CHARS[b % ID_CHARS.length];
  return s;
}
