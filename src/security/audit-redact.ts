/**
 * Request bodies as the audit log keeps them, when the audit configuration asks for bodies: never a
 * secret. Values under secret-looking keys (passwords, hashes, tokens, keys, JWK private parts) are
 * replaced, URLs keep only their scheme, host and first path segment (a webhook URL is often a
 * credential), JSON Patch values are replaced when their path names a secret, and account bodies
 * (Signals accounts and Notifications configs), which exist to carry secrets, keep their structure only.
 */
import { redactUrl } from '../net/redact.ts';

const CENSOR = '[redacted]';
const SECRET_KEY = /pass|secret|token|hash|key|auth|cookie|credential|signature|private|^(k|d|p|q|dp|dq|qi)$/i;
const MAX_TEXT = 16_384;

function scrubString(s: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? redactUrl(s) : s;
}

function scrub(v: unknown, everyString: boolean, depth = 0): unknown {
  if (depth > 64) return CENSOR;
  if (typeof v === 'string') return everyString ? CENSOR : scrubString(v);
  if (Array.isArray(v)) return v.map((x) => scrub(x, everyString, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? CENSOR : scrub(x, everyString, depth + 1);
    return out;
  }
  return v;
}

/** A JSON Patch operation whose path ends in a secret-looking key carries a secret as its value. */
function scrubPatch(ops: unknown[]): unknown[] {
  return ops.map((op) => {
    if (!op || typeof op !== 'object' || Array.isArray(op)) return scrub(op, false);
    const o = op as Record<string, unknown>;
    const path = typeof o.path === 'string' ? o.path : '';
    const secretPath = path.split('/').some((seg) => seg !== '' && SECRET_KEY.test(seg));
    return { ...o, ...('value' in o ? { value: secretPath ? CENSOR : scrub(o.value, false) } : {}) };
  });
}

/** The body of a request to `route` as JSON text fit for the audit log, or undefined when it had none. */
export function redactBody(route: string, body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  // Accounts, under either API (Notifications configs are accounts), carry their secrets in any field.
  const accounts = route.startsWith('/_signals/account') || route.startsWith('/_plugins/_notifications/configs');
  const clean = Array.isArray(body) && !accounts ? scrubPatch(body) : scrub(body, accounts);
  const text = JSON.stringify(clean);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
