/**
 * An AWS STS stand-in: the Query API's `AssumeRole` (form POST to `/`, `Version=2011-06-15`, SigV4 with
 * service `sts`). It checks the signature against the shared {@link AwsKeyring}, the role (known, and
 * trusting the caller), `ExternalId` when the role demands one, `RoleSessionName` and
 * `DurationSeconds` as STS validates them, then issues temporary credentials into the keyring and
 * answers the real `AssumeRoleResponse` XML. Errors are `ErrorResponse` XML (`AccessDenied`,
 * `ValidationError`, `SignatureDoesNotMatch`, `ExpiredToken`, `Throttling` …).
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../../../src/clock.ts';
import { parseFormStrict, startService, xmlText, type ServiceReply, type ServiceRequest, type ServiceStandIn } from '../service.ts';
import { randomId, type AwsKeyring, type AwsSessionKey } from './keyring.ts';
import { queryAuthError, queryError, queryResult, type AwsError } from './protocol.ts';
import { verifySigV4 } from './sigv4-verify.ts';

export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface StsRole {
  /** `arn:aws:iam::<account>:role/<name>` */
  arn: string;
  /** When set, `AssumeRole` must send exactly this `ExternalId`. */
  externalId?: string;
  /** Longest session the role allows, seconds (default 3600, as IAM). */
  maxSessionDuration?: number;
  /** Access keys the trust policy lets assume the role (default: every long-term key of the keyring). */
  trustedKeys?: string[];
}

export interface StsOptions {
  keys: AwsKeyring;
  roles: StsRole[];
  clock?: Clock;
  /** The signing region of this endpoint (default `us-east-1`, as the global endpoint). */
  region?: string;
  /**
   * Seconds the issued credentials live, whatever `DurationSeconds` asked (default: what it asked).
   * Lets a test expire credentials quickly; the `Expiration` in the answer tells the truth.
   */
  credentialLifetimeSeconds?: number;
}

export interface StsStandIn extends ServiceStandIn {
  /** Credentials issued, in order. */
  issued(): AwsSessionKey[];
  /** Queues a `Throttling` answer (400 "Rate exceeded"), as STS sends when its request rate is exceeded. */
  throttle(): void;
}

const PARAMS = new Set(['Action', 'Version', 'RoleArn', 'RoleSessionName', 'DurationSeconds', 'ExternalId']);

export async function startStsStandIn(opts: StsOptions): Promise<StsStandIn> {
  const clock = opts.clock ?? systemClock;
  const region = opts.region ?? 'us-east-1';
  const roles = new Map(opts.roles.map((r) => [r.arn, r]));
  const issued: AwsSessionKey[] = [];
  const err = (e: AwsError): ServiceReply => queryError(STS_NS, e);
  const validation = (value: string | null, member: string, constraint: string): ServiceReply =>
    err({ status: 400, code: 'ValidationError', message: `1 validation error detected: Value ${value === null ? 'null' : `'${value}'`} at '${member}' failed to satisfy constraint: ${constraint}` });

  const handle = (r: ServiceRequest): ServiceReply => {
    if (r.method !== 'POST' || r.path !== '/') return err({ status: 404, code: 'UnknownOperation', message: 'The requested operation is not supported by this stand-in (POST / only).' });
    const v = verifySigV4(r, { service: 'sts', region, now: clock.now(), lookup: opts.keys.lookup });
    if (!v.ok) return err(queryAuthError(v.problem, v.message));
    if (!(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return err({ status: 400, code: 'MalformedInput', message: 'The request body must be application/x-www-form-urlencoded.' });
    }
    const form = parseFormStrict(r.body);
    if (!form.ok) return err({ status: 400, code: 'MalformedQueryString', message: `The query string is malformed: ${form.error}` });
    const p = form.params;
    if (p.get('Action') !== 'AssumeRole') return err({ status: 400, code: 'InvalidAction', message: `Could not find operation ${p.get('Action') ?? '(none)'} for version ${p.get('Version') ?? '(none)'}` });
    if (p.get('Version') !== '2011-06-15') return err({ status: 400, code: 'InvalidAction', message: `Could not find operation AssumeRole for version ${p.get('Version') ?? '(none)'}` });
    for (const k of p.keys()) if (!PARAMS.has(k)) return err({ status: 400, code: 'InvalidParameterValue', message: `The parameter ${k} is not recognized` });

    const roleArn = p.get('RoleArn') ?? null;
    if (roleArn === null) return validation(null, 'roleArn', 'Member must not be null');
    if (roleArn.length < 20 || roleArn.length > 2048) return validation(roleArn, 'roleArn', 'Member must have length between 20 and 2048');
    const session = p.get('RoleSessionName') ?? null;
    if (session === null) return validation(null, 'roleSessionName', 'Member must not be null');
    if (session.length < 2 || session.length > 64) return validation(session, 'roleSessionName', 'Member must have length between 2 and 64');
    if (!/^[\w+=,.@-]*$/.test(session)) return validation(session, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
    const ext = p.get('ExternalId');
    if (ext !== undefined) {
      if (ext.length < 2 || ext.length > 1224) return validation(ext, 'externalId', 'Member must have length between 2 and 1224');
      if (!/^[\w+=,.@:/-]*$/.test(ext)) return validation(ext, 'externalId', 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*');
    }
    const durRaw = p.get('DurationSeconds');
    let duration = 3600;
    if (durRaw !== undefined) {
      if (!/^\d+$/.test(durRaw)) return err({ status: 400, code: 'MalformedInput', message: `Value '${durRaw}' for DurationSeconds is not an integer` });
      duration = Number(durRaw);
      if (duration < 900) return validation(durRaw, 'durationSeconds', 'Member must have value greater than or equal to 900');
      if (duration > 43200) return validation(durRaw, 'durationSeconds', 'Member must have value less than or equal to 43200');
    }

    const caller = opts.keys.principal(v.key.accessKeyId)!;
    const role = roles.get(roleArn);
    const trusted = role && (role.trustedKeys ? role.trustedKeys.includes(v.key.accessKeyId) : caller.session === undefined);
    const denied = (): ServiceReply =>
      err({ status: 403, code: 'AccessDenied', message: `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}` });
    if (!role || !trusted) return denied();
    if (role.externalId !== undefined && ext !== role.externalId) return denied();
    if (duration > (role.maxSessionDuration ?? 3600)) {
      return err({ status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
    }

    const lifetime = opts.credentialLifetimeSeconds ?? duration;
    const expiresAt = Math.floor(clock.now() / 1000) * 1000 + lifetime * 1000;
    const s = opts.keys.issueSession(roleArn, session, expiresAt);
    issued.push(s);
    const roleId = `AROA${randomId(17)}`;
    const result =
      `    <AssumedRoleUser>\n      <Arn>${xmlText(s.assumedRoleArn)}</Arn>\n      <AssumedRoleId>${roleId}:${xmlText(session)}</AssumedRoleId>\n    </AssumedRoleUser>\n` +
      `    <Credentials>\n      <AccessKeyId>${s.accessKeyId}</AccessKeyId>\n      <SecretAccessKey>${xmlText(s.secretAccessKey)}</SecretAccessKey>\n` +
      `      <SessionToken>${xmlText(s.sessionToken)}</SessionToken>\n      <Expiration>${new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>\n    </Credentials>\n`;
    return queryResult('AssumeRole', STS_NS, result, randomUUID());
  };

  const base = await startService(handle, { clock });
  return {
    ...base,
    issued: () => issued,
    throttle: () => base.fault(queryError(STS_NS, { status: 400, code: 'Throttling', message: 'Rate exceeded' })),
  };
}
