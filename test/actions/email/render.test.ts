import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { emailAction } from '../../../src/actions/email/index.ts';
import type { EmailRequest } from '../../../src/actions/email/request.ts';
import { VigilError } from '../../../src/errors.ts';
import { HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import { startSmtpPeer, type SmtpPeer } from '../../kit/smtp-peer.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { account, basicParams, closeAfterEach, deliver, render } from './helpers.ts';

const keep = closeAfterEach();

async function smtp(): Promise<SmtpPeer> {
  return keep(await startSmtpPeer());
}

const NO_MARKUP = /<script|<img|<[^>]*\bon\w+=|href="javascript:/i;
const req = (n: { request: unknown }) => n.request as EmailRequest;

describe('email: header values', () => {
  it('a subject value with CR/LF + Bcc is refused with INVALID_HEADER_VALUE and never sent', async () => {
    const p = await smtp();
    const params = { ...basicParams, subject: 'Alert: {{data.name}}' };
    const compiled = emailAction.compile(emailAction.params.parse(params), templateEnv());
    let err: unknown;
    try {
      compiled.render(view({ name: 'Hi\r\nBcc: victim@evil.test' }), renderInfo());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('INVALID_HEADER_VALUE');
    expect(p.messages).toHaveLength(0);
    expect(p.sessions.flatMap((s) => s.commands).some((c) => /victim/.test(c))).toBe(false);
  });

  it.each(['to', 'from', 'cc', 'bcc', 'reply_to'])('a rendered %s with a line break is refused', (field) => {
    const params = { ...basicParams, [field]: '{{data.addr}}' };
    const compiled = emailAction.compile(emailAction.params.parse(params), templateEnv());
    expect(() => compiled.render(view({ addr: 'a@example.com\nBcc: victim@evil.test' }), renderInfo())).toThrow(
      expect.objectContaining({ code: 'INVALID_HEADER_VALUE' }),
    );
  });

  it('a rendered address that is not an address is refused', () => {
    const compiled = emailAction.compile(emailAction.params.parse({ ...basicParams, to: '{{data.addr}}' }), templateEnv());
    expect(() => compiled.render(view({ addr: 'nobody' }), renderInfo())).toThrow(expect.objectContaining({ code: 'INVALID_HEADER_VALUE' }));
  });

  it('a literal CR/LF in the subject or an address fails validation at load, with the path', () => {
    const r = emailAction.params.safeParse({ ...basicParams, subject: 'a\r\nBcc: x@y.z', to: ['ok@example.com', 'b@example.com\nBcc: x@y.z'] });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['subject', 'to.1']));
  });

  it('templated addresses render to name-addr lists, missing variables are reported', () => {
    const info = renderInfo();
    const n = emailAction
      .compile(emailAction.params.parse({ ...basicParams, to: ['{{data.owner}}', 'Team <team@example.com>'], cc: '{{data.nope}}' }), templateEnv())
      .render(view({ owner: 'Ann Lee <ann@example.com>, bob@example.com' }), info);
    expect(req(n).to).toEqual(['Ann Lee <ann@example.com>', 'bob@example.com', 'Team <team@example.com>']);
    expect(req(n).cc).toEqual([]);
    expect(info.missing).toContain('data.nope');
    expect(n.destination).toBe('email:default');
    expect(n.summary).toContain('ann@example.com');
  });
});

describe('email: bodies and escaping', () => {
  it('html_body escapes values; text_body does not; the received message has both parts', async () => {
    const p = await smtp();
    const n = render({ ...basicParams, html_body: '<p>{{data.v}}</p>', text_body: 'v={{data.v}}' }, view({ v: HOSTILE }));
    expect(req(n).html).not.toContain('<script>');
    expect(req(n).html).toContain('&lt;script&gt;');
    expect(req(n).text).toBe(`v=${HOSTILE}`);
    expect((await deliver(n, account({ host: p.host, port: p.port }))).result.ok).toBe(true);
    const [m] = await p.waitForMessages(1);
    expect(m!.parsed.html).not.toMatch(/<script>/);
    expect(m!.parsed.html).toContain('&lt;script&gt;alert(1)&lt;&#x2F;script&gt;');
    expect(m!.parsed.text).toContain(HOSTILE);
    expect(m!.raw).toMatch(/multipart\/alternative/);
  });

  it('markdown_body renders sanitised HTML and a plain-text part; hostile values cannot inject markup', async () => {
    const p = await smtp();
    const md = '# Alert {{data.name}}\n\n- count: **{{data.n}}**\n- [dashboard](https://grafana.example.com/d/1)\n\n<script>alert(2)</script>\n\n[x](javascript:alert(3))';
    const hostile = '<img src=x onerror=alert(1)> [click](javascript:alert(4)) </p><script>alert(5)</script>';
    const n = render({ to: 'ops@example.com', from: 'vigil@example.com', subject: 'md', markdown_body: md }, view({ name: hostile, n: 7 }));
    const html = req(n).html!;
    expect(html).toContain('<h1>');
    expect(html).toContain('<strong>7</strong>');
    expect(html).toContain('<a href="https://grafana.example.com/d/1">dashboard</a>');
    // Hostile text survives only as escaped text: no tag, no handler attribute, no javascript: link.
    expect(html).not.toMatch(NO_MARKUP);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(req(n).text).toContain('# Alert <img src=x onerror=alert(1)>');
    expect((await deliver(n, account({ host: p.host, port: p.port }))).result.ok).toBe(true);
    const [m] = await p.waitForMessages(1);
    expect(m!.parsed.html).toContain('<strong>7</strong>');
    expect(m!.parsed.html).not.toMatch(NO_MARKUP);
    expect(m!.parsed.text).toContain('count: **7**');
  });

  it('one body is required; markdown_body and html_body do not combine', () => {
    const none = emailAction.params.safeParse({ to: 'a@example.com', subject: 's' });
    expect(none.success).toBe(false);
    expect(none.error!.issues[0]!.path).toEqual(['text_body']);
    const both = emailAction.params.safeParse({ to: 'a@example.com', html_body: 'x', markdown_body: 'y' });
    expect(both.error!.issues.map((i) => i.path.join('.'))).toContain('markdown_body');
    expect(emailAction.params.safeParse({ to: 'a@example.com', text_body: 'x', bogus: 1 }).success).toBe(false);
  });

  it('a template that does not compile fails the load with the field path', () => {
    expect(() => emailAction.compile(emailAction.params.parse({ ...basicParams, html_body: '{{#data}}unclosed' }), templateEnv())).toThrow(
      expect.objectContaining({ code: 'INVALID_WATCH', detail: expect.objectContaining({ html_body: expect.any(Array) }) }),
    );
  });
});

describe('email: attachments', () => {
  it('runtime data as JSON and a request attachment fetched at send time arrive as attachments', async () => {
    const p = await smtp();
    let hits = 0;
    const http: Server = createServer((rq, rs) => {
      hits++;
      rs.setHeader('content-type', 'text/csv');
      rs.end(`path=${rq.url}\nhost,value\nweb-1,97\n`);
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    keep({ close: () => new Promise((r) => http.close(r)) });
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const n = render(
      {
        ...basicParams,
        attachments: {
          'data.json': { type: 'runtime' },
          'report.csv': { type: 'request', request: { url: `${base}/reports`, path: '{{data.id}}', query_params: { since: '{{data.since}}' } } },
        },
      },
      view({ id: 'r-42', since: 'now-1h', n: 3 }),
    );
    expect(hits).toBe(0);
    const { result } = await deliver(n, account({ host: p.host, port: p.port }));
    expect(result).toMatchObject({ ok: true });
    expect(hits).toBe(1);
    const [m] = await p.waitForMessages(1);
    const byName = Object.fromEntries(m!.parsed.attachments.map((a) => [a.filename, a]));
    expect(Object.keys(byName).sort()).toEqual(['data.json', 'report.csv']);
    const runtime = JSON.parse(byName['data.json']!.content.toString('utf8'));
    expect(runtime.data).toEqual({ id: 'r-42', since: 'now-1h', n: 3 });
    expect(runtime.watch).toEqual({ id: 'w1', tenant: '_main' });
    expect(byName['data.json']!.contentType).toBe('application/json');
    expect(byName['report.csv']!.content.toString('utf8')).toContain('path=/reports/r-42?since=now-1h');
    expect(byName['report.csv']!.contentType).toBe('text/csv');
  });

  it('a request attachment that fails with 503 makes the attempt retryable, 404 permanent', async () => {
    const p = await smtp();
    const http: Server = createServer((rq, rs) => {
      rs.statusCode = rq.url!.startsWith('/gone') ? 404 : 503;
      rs.end();
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    keep({ close: () => new Promise((r) => http.close(r)) });
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const at = (path: string) => render({ ...basicParams, attachments: { 'f.txt': { type: 'request', request: { url: `${base}${path}?token=abc` } } } });
    const busy = await deliver(at('/busy'), account({ host: p.host, port: p.port }));
    expect(busy.result).toMatchObject({ ok: false, retry: true, code: 'ATTACHMENT_FETCH_FAILED' });
    const gone = await deliver(at('/gone'), account({ host: p.host, port: p.port }));
    expect(gone.result).toMatchObject({ ok: false, retry: false });
    if (!gone.result.ok) expect(gone.result.message).not.toContain('token=abc');
    expect(p.messages).toHaveLength(0);
  });
});
