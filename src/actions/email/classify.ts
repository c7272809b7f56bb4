/**
 * SMTP failure classification for the email action: the shared delivery classifier
 * (`actions/shared/classify.ts`: 4yz and connection errors retry, 5yz/EAUTH/ETLS permanent) plus one case
 * it cannot see: nodemailer reports a refused server certificate as a generic socket error (`ESOCKET`,
 * "unable to verify the first certificate", "self-signed certificate"…), which would be retried as a
 * connection failure. A certificate the account does not trust stays untrusted until the account
 * changes, so it is permanent (`SMTP_TLS`).
 */
import { classifySmtpError, type Failure } from '../shared/classify.ts';

export type EmailFailure = Failure;

// Node/OpenSSL verification messages and codes (tls.checkServerIdentity, X509 verify errors).
const CERT_FAILURE =
  /certificate|self[- ]signed|unable to (?:verify|get (?:local )?issuer)|Hostname\/IP does not match|ERR_TLS_CERT|CERT_(?:HAS_EXPIRED|NOT_YET_VALID|UNTRUSTED|REJECTED)/i;

export function classifyEmailError(e: unknown): EmailFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : '';
  if ((code === 'ESOCKET' || code === 'ETLS' || code.startsWith('ERR_TLS') || code.includes('CERT')) && CERT_FAILURE.test(`${code} ${message}`)) {
    return { ok: false, retry: false, code: 'SMTP_TLS', message: message.replace(/\s+/g, ' ').trim().slice(0, 300) };
  }
  return classifySmtpError(e);
}
