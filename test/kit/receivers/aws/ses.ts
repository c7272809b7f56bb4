/**
 * An Amazon SES v2 stand-in for `SendEmail` (`POST /v2/email/outbound-emails`, REST-JSON, SigV4 with
 * service `ses`). It verifies the signature against the shared {@link AwsKeyring}, validates the body
 * (see `ses-send.ts`; a raw MIME message is parsed with mailparser), then applies the account's state:
 * sending paused or account suspended, an unknown configuration set (`NotFoundException`), a sender
 * that is not a verified identity and, in the sandbox, recipients that are not (`MessageRejected`).
 * Success is `{"MessageId": …}`; errors are `{"message": …}` with the name in `x-amzn-ErrorType`.
 */
import { randomUUID } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { systemClock, type Clock } from '../../../../src/clock.ts';
import { startService, type ServiceReply, type ServiceRequest, type ServiceStandIn } from '../service.ts';
import type { AwsKeyring } from './keyring.ts';
import { jsonAuthError, jsonError } from './protocol.ts';
import { checkSend, SesBadRequest, type CheckedSend } from './ses-send.ts';
import { verifySigV4 } from './sigv4-verify.ts';

/** A send SES took: what its checks read from the body, and who sent it when. */
export interface SesSent extends Omit<CheckedSend, 'raw'> {
  messageId: string;
  /** The parsed raw message, for `Content.Raw`. */
  raw?: ParsedMail;
  accessKeyId: string;
  at: number;
}

export interface SesOptions {
  keys: AwsKeyring;
  /** Verified identities: e-mail addresses and domains. */
  identities: string[];
  configurationSets?: string[];
  /** In the sandbox every recipient must be a verified identity too (default false). */
  sandbox?: boolean;
  clock?: Clock;
  region?: string;
}

export type SesAccountState = 'active' | 'paused' | 'suspended';

export interface SesStandIn extends ServiceStandIn {
  readonly region: string;
  sent(): SesSent[];
  /** `paused`: SendingPausedException; `suspended`: AccountSuspendedException, until set back. */
  setAccountState(s: SesAccountState): void;
  /** Queues a 429 `TooManyRequestsException` ("Maximum sending rate exceeded."). */
  throttle(): void;
}

export async function startSesStandIn(opts: SesOptions): Promise<SesStandIn> {
  const clock = opts.clock ?? systemClock;
  const region = opts.region ?? 'us-east-1';
  const identities = new Set(opts.identities.map((i) => i.toLowerCase()));
  const configSets = new Set(opts.configurationSets ?? []);
  const sent: SesSent[] = [];
  let state: SesAccountState = 'active';

  const verified = (addr: string) => identities.has(addr.toLowerCase()) || identities.has(addr.slice(addr.lastIndexOf('@') + 1).toLowerCase());
  const rejected = (addrs: string[]): ServiceReply =>
    jsonError({
      status: 400,
      code: 'MessageRejected',
      message: `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${addrs.join(', ')}`,
    });

  const handle = async (r: ServiceRequest): Promise<ServiceReply> => {
    const v = verifySigV4(r, { service: 'ses', region, now: clock.now(), lookup: opts.keys.lookup });
    if (!v.ok) return jsonError(jsonAuthError(v.problem, v.message));
    if (r.method !== 'POST' || r.path !== '/v2/email/outbound-emails') {
      return jsonError({ status: 404, code: 'UnknownOperationException', message: `${r.method} ${r.path} is not an operation this stand-in serves.` });
    }
    if (!(r.headers['content-type'] ?? '').startsWith('application/json')) {
      return jsonError({ status: 400, code: 'BadRequestException', message: 'The request body must be application/json.' });
    }
    if (r.json === undefined) return jsonError({ status: 400, code: 'BadRequestException', message: 'The request body is not valid JSON.' });
    let c;
    try {
      c = await checkSend(r.json);
    } catch (e) {
      if (e instanceof SesBadRequest) return jsonError({ status: 400, code: 'BadRequestException', message: e.message });
      throw e;
    }
    if (state === 'suspended') return jsonError({ status: 400, code: 'AccountSuspendedException', message: 'Your account has been suspended and can no longer send email.' });
    if (state === 'paused') return jsonError({ status: 400, code: 'SendingPausedException', message: 'Sending is paused for this account.' });
    if (c.configurationSet !== undefined && !configSets.has(c.configurationSet)) {
      return jsonError({ status: 404, code: 'NotFoundException', message: `Configuration set <${c.configurationSet}> does not exist.` });
    }
    if (!verified(c.from)) return rejected([c.fromHeader]);
    if (opts.sandbox) {
      const unverified = [...c.to, ...c.cc, ...c.bcc].filter((a) => !verified(a));
      if (unverified.length) return rejected(unverified);
    }
    const messageId = `0100${clock.now().toString(16).padStart(12, '0')}-${randomUUID()}-000000`;
    const { raw, ...rest } = c;
    sent.push({ ...rest, ...(raw && { raw: raw.parsed }), messageId, accessKeyId: v.key.accessKeyId, at: clock.now() });
    return { status: 200, body: { MessageId: messageId }, headers: { 'x-amzn-requestid': randomUUID() } };
  };

  const base = await startService(handle, { clock, maxBodyBytes: 64 * 1024 * 1024 });
  return {
    ...base,
    region,
    sent: () => sent,
    setAccountState: (s) => {
      state = s;
    },
    throttle: () => base.fault(jsonError({ status: 429, code: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' })),
  };
}
