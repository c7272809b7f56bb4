/**
 * `request` attachments with Signals' inline credentials: basic `auth` on the request and a TLS client
 * certificate, as in the Signals email action documentation.
 */
import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { emailAction } from '../../../src/actions/email/index.ts';
import type { HttpClient, HttpRequest } from '../../../src/net/types.ts';
import { redactRequest } from '../../../src/runtime/redact-request.ts';
import { deliverDeps } from '../../kit/action-deps.ts';
import { startSmtpPeer, type SmtpPeer } from '../../kit/smtp-peer.ts';
import { account, basicParams, closeAfterEach, deliver, render } from './helpers.ts';

const keep = closeAfterEach();

async function smtp(): Promise<SmtpPeer> {
  return keep(await startSmtpPeer());
}

const PEM = (what: string) => `-----BEGIN ${what}-----\nMIIB${what.replace(/ /g, '')}\n-----END ${what}-----\n`;
const TLS = {
  trusted_certs: PEM('CERTIFICATE'),
  client_auth: { certs: PEM('CERTIFICATE'), private_key: PEM('ENCRYPTED PRIVATE KEY'), private_key_password: 'key-Pa55phrase-9931' },
};

describe('email request attachments: inline credentials', () => {
  it('auth: basic credentials go out as the Authorization header (winning over one in headers)', async () => {
    const p = await smtp();
    const seen: Array<string | undefined> = [];
    const http: Server = createServer((rq, rs) => {
      seen.push(rq.headers.authorization);
      rs.setHeader('content-type', 'text/plain');
      rs.end('the report');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    keep({ close: () => new Promise((r) => http.close(r)) });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/report`;
    const n = render({
      ...basicParams,
      attachments: {
        'some_text_file.txt': {
          type: 'request',
          request: { url, method: 'GET', headers: { Authorization: 'Bearer stale' }, auth: { type: 'basic', username: 'admin', password: 'att-Pa55word-5521' } },
        },
      },
    });
    const { result, logText } = await deliver(n, account({ host: p.host, port: p.port }));
    expect(result).toMatchObject({ ok: true });
    expect(seen).toEqual([`Basic ${Buffer.from('admin:att-Pa55word-5521').toString('base64')}`]);
    const [m] = await p.waitForMessages(1);
    expect(m!.parsed.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([['some_text_file.txt', 'the report']]);
    expect(logText()).not.toContain('att-Pa55word-5521');
  });

  it('tls with a client certificate reaches the HTTP request of the attachment', async () => {
    const p = await smtp();
    const requests: HttpRequest[] = [];
    const http: HttpClient = {
      async request(req) {
        requests.push(req);
        return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok', truncated: false };
      },
      close: async () => {},
    };
    const n = render({ ...basicParams, attachments: { 'r.txt': { type: 'request', request: { url: 'https://reports.example.com/r', method: 'GET' }, tls: TLS } } });
    const { deps } = deliverDeps(http, account({ host: p.host, port: p.port }), { accountId: 'tls-attachment' });
    expect(await emailAction.deliver(n, deps)).toMatchObject({ ok: true });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.tls).toEqual(TLS);
  });

  it('what --simulate shows of the request has the password, the private key and its passphrase redacted', () => {
    const n = render({
      ...basicParams,
      attachments: { 'r.txt': { type: 'request', request: { url: 'https://reports.example.com/r', auth: { type: 'basic', username: 'admin', password: 'att-Pa55word-5521' } }, tls: TLS } },
    });
    const shown = JSON.stringify(redactRequest(n.request));
    for (const secret of ['att-Pa55word-5521', TLS.client_auth.private_key, TLS.client_auth.private_key_password]) expect(shown).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(shown).toContain('"username":"admin"');
    expect(shown).toContain('MIIBCERTIFICATE');
  });

  it('refuses other auth types and unknown fields, with their paths', () => {
    const r = emailAction.params.safeParse({
      ...basicParams,
      attachments: { 'r.txt': { type: 'request', request: { url: 'https://x.example/', auth: { type: 'bearer', token: 't' } }, tls: { client_auth: { cert: 'x' } } } },
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(expect.arrayContaining(['attachments.r.txt.request.auth.type', 'attachments.r.txt.tls.client_auth']));
  });
});
