import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraAction, testAccount } from '../../../src/actions/jira/index.ts';
import { episodeLabel } from '../../../src/actions/jira/render.ts';
import { startJiraReceiver, type JiraReceiver } from '../../kit/receivers/jira.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import type { HttpClient } from '../../../src/net/types.ts';
import type { RenderedNotification } from '../../../src/actions/types.ts';
import type { JiraAccount } from '../../../src/actions/jira/schema.ts';

const TOKEN = 'ATATT3xJiraSecretToken0123';
const PAT = 'NjQ0ODDataCenterPAT9876';
let jira: JiraReceiver;
let http: HttpClient;
let account: JiraAccount;
beforeAll(async () => {
  jira = await startJiraReceiver({ token: TOKEN, bearer: PAT });
  http = createTestHttpClient({ readTimeoutMs: 300 });
  account = { url: jira.url, user_name: 'oncall@example.com', auth_token: TOKEN };
});
afterAll(async () => {
  await http.close();
  await jira.close();
});

const PARAMS = {
  project: 'OPS',
  issue: { type: 'Bug', summary: 'Watch {{watch.id}}: {{data.n}} errors', description: 'Errors: {{data.n}}\n\nSee the dashboard.', priority: 'High', component: 'api', label: 'vigil alerts' },
  resolve_transition: 'Done',
};
const compile = (params: unknown = PARAMS) => jiraAction.compile(jiraAction.params.parse(params) as any, templateEnv());
const deliver = async (n: RenderedNotification, acc: JiraAccount = account, over = {}) => {
  const d = deliverDeps(http, acc, over);
  const r = await jiraAction.deliver(n, d.deps);
  return { r, log: d.logText() };
};
const issuesFor = (ep: string) => jira.issues().filter((i) => (i.fields.labels as string[]).includes(episodeLabel(ep)));

describe('jira action', () => {
  it('creates the issue with the exact fields and the episode label', async () => {
    const n = compile().render(view({ n: 5 }), renderInfo({ episodeKey: 'ep-create' }));
    const label = episodeLabel('ep-create');
    expect(label).toMatch(/^vigil-[0-9a-f]{16}$/);
    expect(n.request).toEqual({
      op: 'fire',
      project: 'OPS',
      label,
      fields: {
        summary: 'Watch w1: 5 errors',
        description: 'Errors: 5\n\nSee the dashboard.',
        issuetype: { name: 'Bug' },
        priority: { name: 'High' },
        components: [{ name: 'api' }],
        labels: ['vigil', 'alerts', label],
      },
      comment: 'Fired again: Watch w1: 5 errors\n\nErrors: 5\n\nSee the dashboard.',
    });
    const before = jira.requests.length;
    const { r } = await deliver(n);
    expect(r).toMatchObject({ ok: true, response: { created: true } });
    const [search, create] = jira.requests.slice(before);
    expect(search!.method).toBe('GET');
    expect(new URL(search!.url, 'http://x').searchParams.get('jql')).toBe(`project = "OPS" AND labels = "${label}" AND statusCategory != Done ORDER BY created DESC`);
    expect(create!.json).toEqual({ fields: { ...(n.request as any).fields, project: { key: 'OPS' } } });
  });

  it('a re-fire in the same episode comments on the open issue instead of creating another', async () => {
    const c = compile();
    const info = renderInfo({ episodeKey: 'ep-refire' });
    expect((await deliver(c.render(view({ n: 1 }), info))).r.ok).toBe(true);
    const second = await deliver(c.render(view({ n: 2 }), info));
    expect(second.r).toMatchObject({ ok: true, response: { created: false } });
    const issues = issuesFor('ep-refire');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.comments).toEqual(['Fired again: Watch w1: 2 errors\n\nErrors: 2\n\nSee the dashboard.']);
    // A new episode is a new issue.
    await deliver(c.render(view({ n: 3 }), renderInfo({ episodeKey: 'ep-refire-2' })));
    expect(issuesFor('ep-refire-2')).toHaveLength(1);
  });

  it('a create that times out after Jira created the issue leaves one issue after the retry', async () => {
    const n = compile().render(view({ n: 9 }), renderInfo({ episodeKey: 'ep-timeout' }));
    jira.failNextCreate('hang');
    const first = await deliver(n, account, { attempt: 1 });
    expect(first.r).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(issuesFor('ep-timeout')).toHaveLength(1);
    const retry = await deliver(n, account, { attempt: 2 });
    expect(retry.r).toMatchObject({ ok: true, response: { created: false } });
    expect(issuesFor('ep-timeout')).toHaveLength(1);
  });

  it('resolve comments and transitions the open issue; nothing to resolve is a success', async () => {
    const c = compile();
    const info = renderInfo({ episodeKey: 'ep-resolve' });
    await deliver(c.render(view({ n: 1 }), info));
    const res = c.renderResolve!(view(), info)!;
    expect(res.request).toEqual({
      op: 'resolve',
      project: 'OPS',
      label: episodeLabel('ep-resolve'),
      transition: 'Done',
      comment: 'Resolved by Vigil: the situation of watch _main/w1 has ended.',
    });
    expect((await deliver(res)).r).toMatchObject({ ok: true, detail: expect.stringContaining('transitioned to Done') });
    const [issue] = issuesFor('ep-resolve');
    expect(issue!.status).toBe('Done');
    expect(issue!.comments).toHaveLength(1);
    expect((await deliver(res)).r).toEqual({ ok: true, detail: 'no open issue for this episode' });
    expect(compile({ ...PARAMS, resolve_transition: undefined }).renderResolve).toBeUndefined();
  });

  it('an unknown transition name is a permanent failure naming the available ones', async () => {
    const c = compile({ ...PARAMS, resolve_transition: 'Closed' });
    const info = renderInfo({ episodeKey: 'ep-badtr' });
    await deliver(c.render(view(), info));
    const { r } = await deliver(c.renderResolve!(view(), info)!);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'JIRA_TRANSITION_NOT_FOUND' });
    expect(r.ok === false && r.message).toContain('To Do, In Progress, Done');
  });

  it('API v3 sends ADF descriptions and comments and searches /search/jql', async () => {
    const v3: JiraAccount = { ...account, api_version: 3 };
    const c = compile();
    const info = renderInfo({ episodeKey: 'ep-v3' });
    const before = jira.requests.length;
    expect((await deliver(c.render(view({ n: 1 }), info), v3)).r.ok).toBe(true);
    expect((await deliver(c.render(view({ n: 2 }), info), v3)).r.ok).toBe(true);
    const urls = jira.requests.slice(before).map((q) => `${q.method} ${q.url.split('?')[0]}`);
    expect(urls).toEqual(['GET /rest/api/3/search/jql', 'POST /rest/api/3/issue', 'GET /rest/api/3/search/jql', 'POST /rest/api/3/issue/OPS-' + issuesFor('ep-v3')[0]!.key.split('-')[1] + '/comment']);
    const [issue] = issuesFor('ep-v3');
    expect(issue!.fields.description).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Errors: 1' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'See the dashboard.' }] },
      ],
    });
    expect((issue!.comments[0] as any).type).toBe('doc');
  });

  it('Data Center bearer tokens work', async () => {
    const dc: JiraAccount = { url: jira.url, auth_token: PAT, auth_type: 'bearer' };
    expect(jiraAction.account!.schema.safeParse(dc).success).toBe(true);
    expect((await deliver(compile().render(view(), renderInfo({ episodeKey: 'ep-dc' })), dc)).r.ok).toBe(true);
  });

  it('a wrong token is permanent and no token or Basic credential reaches the result or the log', async () => {
    const bad: JiraAccount = { ...account, auth_token: 'ATATT3xWrongWrongWrong' };
    const { r, log } = await deliver(compile().render(view(), renderInfo()), bad);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX' });
    expect(r.ok === false && r.message).toContain('401');
    const basic = Buffer.from('oncall@example.com:ATATT3xWrongWrongWrong').toString('base64');
    expect(JSON.stringify(r) + log).not.toContain('ATATT3xWrong');
    expect(JSON.stringify(r) + log).not.toContain(basic);
  });

  it('5xx and 429 (with Retry-After) on search are retried; a create 400 is permanent with Jira’s reason', async () => {
    const n = compile().render(view(), renderInfo({ episodeKey: 'ep-faults' }));
    jira.fault({ status: 503, body: 'Service Unavailable' });
    expect((await deliver(n)).r).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    jira.fault({ status: 429, body: { errorMessages: ['Rate limit exceeded.'] }, headers: { 'retry-after': '5' } });
    expect((await deliver(n)).r).toMatchObject({ ok: false, retry: true, retryAfterMs: 5000 });
    const badType = compile({ ...PARAMS, issue: { ...PARAMS.issue, type: 'Epic' } }).render(view(), renderInfo({ episodeKey: 'ep-badtype' }));
    const { r } = await deliver(badType);
    expect(r).toMatchObject({ ok: false, retry: false });
    expect(r.ok === false && r.message).toContain('Specify a valid issue type');
  });

  it('hostile values keep bodies valid JSON; the summary stays one line', async () => {
    const n = compile({ project: 'OPS', issue: { type: 'Task', summary: 'S {{data.v}}', description: '{{data.v}}' } }).render(view({ v: HOSTILE }), renderInfo({ episodeKey: 'ep-hostile' }));
    const before = jira.requests.length;
    expect((await deliver(n)).r.ok).toBe(true);
    const create = jira.requests.slice(before).find((q) => q.method === 'POST')!;
    const f = JSON.parse(create.body).fields;
    expect(f.description).toBe(HOSTILE);
    expect(f.summary).toBe(`S ${HOSTILE.replace(/\n/g, ' ')}`);
  });

  it('testAccount checks project and issue type, and creates only when asked', async () => {
    const deps = deliverDeps(http, undefined).deps;
    const count = jira.issues().length;
    expect(await testAccount(account, { project: 'OPS', issue_type: 'Bug' }, deps)).toMatchObject({ ok: true, steps: ['project'] });
    expect(await testAccount(account, { project: 'NOPE' }, deps)).toMatchObject({ ok: false, retry: false, message: expect.stringContaining("No project could be found with key 'NOPE'") });
    expect(await testAccount(account, { project: 'OPS', issue_type: 'Epic' }, deps)).toMatchObject({ ok: false, code: 'JIRA_ISSUE_TYPE_NOT_FOUND' });
    expect(jira.issues().length).toBe(count);
    expect(await testAccount(account, { project: 'OPS', create: true }, deps)).toMatchObject({ ok: true, steps: ['project', 'create'] });
    expect(jira.issues().length).toBe(count + 1);
  });

  it('basic auth requires user_name; params are strict', () => {
    expect(jiraAction.account!.schema.safeParse({ url: 'https://x.atlassian.net', auth_token: 't' }).success).toBe(false);
    expect(jiraAction.params.safeParse({ ...PARAMS, assignee: 'me' }).success).toBe(false);
  });
});
