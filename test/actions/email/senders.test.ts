/**
 * The e-mail action works unchanged with an SMTP, SES or Exchange account: the same notification sent
 * through each arrives with the same subject, bodies (markdown made HTML), attachments and recipients
 * (account defaults and recipient groups expanded), and the domain allowlist, a missing group and an
 * edited group behave the same on all three.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE } from '../../kit/action-deps.ts';
import { emailAction } from '../../../src/actions/email/index.ts';
import { SENDERS, startSenderKit, type SenderKit } from './sender-kit.ts';

let kit: SenderKit;
let files: Server;
let reportUrl = '';
beforeAll(async () => {
  kit = await startSenderKit();
  files = createServer((_req, res) => {
    res.setHeader('content-type', 'text/csv');
    res.end('host,disk\nnode-1,99\n');
  });
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  reportUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/report.csv`;
  kit.groups.set('oncall', { emails: ['Alice <alice@example.com>', 'bob@example.com'] });
  kit.groups.set('managers', { emails: ['carol@example.com'] });
  kit.groups.set('auditors', { emails: ['Dave <dave@example.com>'] });
});
afterAll(async () => {
  await kit.close();
  files.closeAllConnections();
  await new Promise((r) => files.close(r));
});

describe.each(SENDERS)('the email action through a %s account', (sender) => {
  it('sends markdown as HTML and text, runtime and request attachments, to groups and addresses, with the account defaults', async () => {
    const n = kit.render(
      {
        to: ['ops@example.com', { group: 'oncall' }],
        bcc: { group: 'auditors' },
        subject: 'Disk at {{data.n}}% {{data.v}}',
        markdown_body: '**Disk** at {{data.n}}%: {{data.v}}',
        attachments: { 'run.json': { type: 'runtime' }, 'report.csv': { type: 'request', request: { url: reportUrl, method: 'GET' } } },
      },
      { n: 97, v: HOSTILE.replace(/\n/g, ' ') },
    );
    // cc is left to the account's default, which names a group too.
    const account = kit.account(sender, { default_cc: ['lead@example.com', { group: 'managers' }] });
    const { result, logText } = await kit.deliver(n, sender, account);
    expect(result, logText()).toMatchObject({ ok: true });
    const got = await kit.last(sender);
    expect(got.subject).toBe(`Disk at 97% ${HOSTILE.replace(/\n/g, ' ')}`);
    expect(got.from).toBe('vigil@example.com');
    expect(got.to).toEqual(['ops@example.com', 'alice@example.com', 'bob@example.com']);
    expect(got.cc).toEqual(['lead@example.com', 'carol@example.com']);
    expect(got.bcc).toEqual(['dave@example.com']);
    // Graph takes one body: the HTML one.
    expect(got.html).toContain('<strong>Disk</strong> at 97%');
    expect(got.html).not.toContain('<script>');
    if (sender !== 'exchange') expect(got.text).toContain('**Disk** at 97%');
    expect(got.attachments.map((a) => a.filename).sort()).toEqual(['report.csv', 'run.json']);
    expect(got.attachments.find((a) => a.filename === 'report.csv')!.content).toBe('host,disk\nnode-1,99\n');
    expect(JSON.parse(got.attachments.find((a) => a.filename === 'run.json')!.content)).toMatchObject({ data: { n: 97 } });
  });

  it('refuses, at send time and before sending, a group member outside the domain allowlist', async () => {
    kit.groups.set('mixed', { emails: ['ok@example.com', 'outsider@elsewhere.org'] });
    const n = kit.render({ to: { group: 'mixed' }, subject: 's', text_body: 'b' });
    const before = kit.count(sender);
    const { result } = await kit.deliver(n, sender, kit.account(sender, { domain_allowlist: ['example.com'] }));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'EGRESS_DENIED', message: expect.stringContaining('outsider@elsewhere.org') });
    expect(kit.count(sender)).toBe(before);
  });

  it('a group that no longer exists fails for good, naming it; an edited group is read at the next send', async () => {
    const before = kit.count(sender);
    const gone = await kit.deliver(kit.render({ to: { group: 'nobody' }, subject: 's', text_body: 'b' }), sender);
    expect(gone.result).toMatchObject({ ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: "no recipient group 'nobody' (email_group account)" });
    expect(kit.count(sender)).toBe(before);

    const n = kit.render({ to: { group: 'rotating' }, subject: 's', text_body: 'b' });
    kit.groups.set('rotating', { emails: ['first@example.com'] });
    expect((await kit.deliver(n, sender)).result).toMatchObject({ ok: true });
    expect((await kit.last(sender)).to).toEqual(['first@example.com']);
    kit.groups.set('rotating', { emails: ['second@example.com', 'third@example.com'] });
    expect((await kit.deliver(n, sender)).result).toMatchObject({ ok: true });
    expect((await kit.last(sender)).to).toEqual(['second@example.com', 'third@example.com']);
  });

  it("sends a channel message to the account's default recipients: subject, text, and the text as escaped markdown HTML", async () => {
    const n = emailAction.channel!.format({ subject: 'Disk full\nnow', message: '**node-1** <b>99%</b>', severity: 'critical' }, kit.account(sender) as never);
    const { result } = await kit.deliver(n, sender, kit.account(sender, { default_to: [{ group: 'oncall' }] }));
    expect(result).toMatchObject({ ok: true });
    const got = await kit.last(sender);
    expect(got).toMatchObject({ subject: 'Disk full now', to: ['alice@example.com', 'bob@example.com'] });
    expect(got.html).toContain('<strong>node-1</strong> &lt;b&gt;99%&lt;/b&gt;');
    if (sender !== 'exchange') expect(got.text).toBe('**node-1** <b>99%</b>');
  });

  it('without recipients or a from address it fails for good, sending nothing', async () => {
    const before = kit.count(sender);
    const none = await kit.deliver(kit.render({ subject: 's', text_body: 'b' }), sender);
    expect(none.result).toMatchObject({ ok: false, retry: false, code: 'INVALID_REQUEST', message: expect.stringContaining('no recipients') });
    expect(kit.count(sender)).toBe(before);
  });
});
