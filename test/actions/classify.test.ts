import { describe, expect, it } from 'vitest';
import { classifyHttpError, classifyHttpStatus, classifySmtpError, httpResult, parseRetryAfter } from '../../src/actions/shared/classify.ts';
import { HttpError } from '../../src/net/types.ts';
import type { DeliveryResult } from '../../src/actions/types.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('classifyHttpStatus', () => {
  it.each([
    [200, true, false, 'HTTP_2XX'],
    [202, true, false, 'HTTP_2XX'],
    [204, true, false, 'HTTP_2XX'],
    [101, false, false, 'HTTP_1XX'],
    [301, false, false, 'HTTP_3XX'],
    [302, false, false, 'HTTP_3XX'],
    [307, false, false, 'HTTP_3XX'],
    [400, false, false, 'HTTP_4XX'],
    [401, false, false, 'HTTP_4XX'],
    [403, false, false, 'HTTP_4XX'],
    [404, false, false, 'HTTP_4XX'],
    [410, false, false, 'HTTP_4XX'],
    [418, false, false, 'HTTP_4XX'],
    [408, false, true, 'HTTP_408'],
    [429, false, true, 'HTTP_429'],
    [500, false, true, 'HTTP_5XX'],
    [502, false, true, 'HTTP_5XX'],
    [503, false, true, 'HTTP_5XX'],
    [504, false, true, 'HTTP_5XX'],
  ])('%i → ok=%s retry=%s %s', (status, ok, retry, code) => {
    expect(classifyHttpStatus(status, {}, NOW)).toEqual({ ok, retry, code });
  });

  it('honours Retry-After on 429 and 503, ignores it on permanent failures', () => {
    expect(classifyHttpStatus(429, { 'retry-after': '7' }, NOW)).toEqual({ ok: false, retry: true, code: 'HTTP_429', retryAfterMs: 7000 });
    expect(classifyHttpStatus(503, { 'retry-after': 'Sat, 01 Mar 2025 12:00:30 GMT' }, NOW).retryAfterMs).toBe(30_000);
    expect(classifyHttpStatus(400, { 'retry-after': '7' }, NOW).retryAfterMs).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['7', 7000],
    [' 120 ', 120_000],
    ['1.5', 1500],
    ['86400', 300_000], // absurd: capped at the longest deadline
    ['Sat, 01 Mar 2025 12:00:10 GMT', 10_000],
    ['Saturday, 01-Mar-25 12:01:00 GMT', 60_000],
    ['Sat Mar  1 12:00:05 2025', 5_000],
    ['Sat, 01 Mar 2025 11:00:00 GMT', 0], // in the past
    ['Sun, 02 Mar 2025 12:00:00 GMT', 300_000],
  ])('%j → %i ms', (v, ms) => {
    expect(parseRetryAfter(v, NOW)).toBe(ms);
  });

  it.each([undefined, '', '-5', 'soon', '7s', '1 2'])('%j → undefined', (v) => {
    expect(parseRetryAfter(v, NOW)).toBeUndefined();
  });

  it('takes a custom cap', () => {
    expect(parseRetryAfter('60', NOW, 10_000)).toBe(10_000);
  });
});

describe('httpResult', () => {
  it('2xx is success', () => {
    expect(httpResult({ status: 200, headers: {} }, NOW)).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(httpResult({ status: 202, headers: {}, truncated: true }, NOW)).toEqual({ ok: true, detail: 'HTTP 202 (response_too_large)' });
  });

  it('3xx is redirect_not_followed, not retried, and the Location is redacted', () => {
    const r = httpResult({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/iam?token=s3cr3t' } }, NOW);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'HTTP_3XX' });
    const msg = r.ok ? '' : r.message;
    expect(msg).toContain('redirect_not_followed');
    expect(msg).toContain('169.254.169.254');
    expect(msg).not.toContain('s3cr3t');
    expect(msg).not.toContain('meta-data');
  });

  it('carries detail and Retry-After', () => {
    expect(httpResult({ status: 429, headers: { 'retry-after': '3' } }, NOW, 'slow down')).toEqual({
      ok: false,
      retry: true,
      retryAfterMs: 3000,
      code: 'HTTP_429',
      message: 'HTTP 429: slow down',
    });
  });
});

describe('classifyHttpError', () => {
  it.each([
    ['timeout', true, 'TIMEOUT'],
    ['connect', true, 'CONNECT_FAILED'],
    ['network', true, 'NETWORK'],
    ['aborted', true, 'ABORTED'],
    ['tls', false, 'TLS'],
    ['egress_denied', false, 'EGRESS_DENIED'],
    ['redirect_not_followed', false, 'HTTP_3XX'],
    ['invalid_request', false, 'INVALID_REQUEST'],
  ] as const)('%s → retry=%s %s', (kind, retry, code) => {
    expect(classifyHttpError(new HttpError(kind, 'm'))).toEqual({ ok: false, retry, code, message: 'm' });
  });

  it('a non-HttpError is a bug, not retried, and its message is not copied', () => {
    expect(classifyHttpError(new TypeError('x is undefined at https://secret'))).toEqual({
      ok: false,
      retry: false,
      code: 'UNEXPECTED',
      message: 'TypeError',
    });
  });
});

function smtpErr(fields: Record<string, unknown>, message = 'smtp failure'): Error {
  return Object.assign(new Error(message), fields);
}

describe('classifySmtpError', () => {
  it.each([
    // reply codes
    [{ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }, true, 'SMTP_4YZ'],
    [{ code: 'EENVELOPE', responseCode: 450 }, true, 'SMTP_4YZ'],
    [{ code: 'EMESSAGE', responseCode: 452 }, true, 'SMTP_4YZ'],
    [{ code: 'EPROTOCOL', responseCode: 421 }, true, 'SMTP_4YZ'],
    [{ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, false, 'SMTP_5YZ'],
    [{ code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, false, 'SMTP_5YZ'],
    // connection failures
    [{ code: 'ECONNECTION' }, true, 'SMTP_CONNECTION'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, true, 'SMTP_CONNECTION'],
    [{ code: 'EDNS' }, true, 'SMTP_CONNECTION'],
    [{ code: 'ETIMEDOUT' }, true, 'TIMEOUT'],
    [{ code: 'ECONNREFUSED' }, true, 'SMTP_CONNECTION'],
    // config and security failures
    [{ code: 'ETLS' }, false, 'SMTP_TLS'],
    [{ code: 'ETLS', responseCode: 454 }, false, 'SMTP_TLS'],
    [{ code: 'EAUTH', responseCode: 535 }, false, 'SMTP_AUTH'],
    [{ code: 'EAUTH', responseCode: 454 }, false, 'SMTP_AUTH'],
    [{ code: 'ENOAUTH' }, false, 'SMTP_AUTH'],
    [{ code: 'EENVELOPE', command: 'API' }, false, 'SMTP_ENVELOPE'],
    [{ code: 'ECONFIG' }, false, 'SMTP_CONFIG'],
    // unknown and transient odds and ends
    [{ code: 'EABORT' }, true, 'ABORTED'],
    [{ code: 'EMAXLIMIT' }, true, 'SMTP_MAXLIMIT'],
    [{}, true, 'SMTP_ERROR'],
  ])('%j → retry=%s %s', (fields, retry, code) => {
    expect(classifySmtpError(smtpErr(fields))).toMatchObject({ ok: false, retry, code });
  });

  it('proxy: unreachable is retried, refused authentication is not', () => {
    expect(classifySmtpError(smtpErr({ code: 'EPROXY', originalCode: 'ECONNREFUSED' }))).toMatchObject({ retry: true, code: 'SMTP_PROXY_UNREACHABLE' });
    expect(classifySmtpError(smtpErr({ name: 'SocksClientError' }, 'Proxy connection timed out'))).toMatchObject({ retry: true });
    expect(classifySmtpError(smtpErr({}, 'Socks5 Authentication failed'))).toMatchObject({ retry: false, code: 'SMTP_PROXY' });
    expect(classifySmtpError(smtpErr({ code: 'EPROXY' }, 'Socks module not loaded'))).toMatchObject({ retry: false, code: 'SMTP_PROXY' });
  });

  it('keeps the server reply on one bounded line', () => {
    const r = classifySmtpError(smtpErr({ code: 'EENVELOPE', responseCode: 550 }, `Can't send mail:\r\n550 5.1.1 ${'x'.repeat(1000)}`));
    expect(r.message.startsWith("Can't send mail: 550 5.1.1")).toBe(true);
    expect(r.message.length).toBeLessThanOrEqual(301);
    expect(classifySmtpError('weird').message).toBe('weird');
  });
});

describe('DeliveryFailureCode', () => {
  it('a failure code outside the union does not type-check (npm run typecheck holds it)', () => {
    // @ts-expect-error 'MADE_UP' is no delivery failure code
    const made: DeliveryResult = { ok: false, retry: false, code: 'MADE_UP', message: 'm' };
    const known: DeliveryResult[] = [
      { ok: false, retry: true, code: 'HTTP_5XX', message: 'm' },
      { ok: false, retry: true, code: 'HTTP_503', message: 'm' },
      { ok: false, retry: true, code: 'SMTP_PROTOCOL', message: 'm' },
      { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'm' },
    ];
    expect([made, ...known].every((r) => !r.ok)).toBe(true);
  });
});
