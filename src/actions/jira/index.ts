/**
 * Jira issues for watch episodes. Vigil goes beyond Signals: every issue carries a label derived from
 * the episode (tenant, watch, action, episode), and every delivery first searches for an open issue with
 * that label. A re-fire comments on it instead of creating a second one, and a retry after a create
 * that timed out (but reached Jira) finds the issue and comments rather than duplicating it. When the
 * situation ends, `resolve_transition` moves the issue on, with a comment.
 */
import { z } from 'zod';
import type { ActionType, DeliverDeps, DeliveryResult } from '../types.ts';
import { urlDestination } from '../shared/account-destination.ts';
import { testDeliverDeps, type TestAccountDeps, type TestAccountResult } from '../shared/test-account.ts';
import { jiraClient } from './client.ts';
import { compileJira, type JiraFireRequest, type JiraRequest, type JiraResolveRequest } from './render.ts';
import { jiraAccount, jiraParams, type JiraAccount, type JiraParams } from './schema.ts';

async function fire(req: JiraFireRequest, deps: DeliverDeps<JiraAccount>, account: JiraAccount): Promise<DeliveryResult> {
  const jira = jiraClient(account, deps);
  const found = await jira.searchOpen(req.project, req.label);
  if ('failure' in found) return found.failure;
  const open = found.value[0];
  if (open) {
    const c = await jira.addComment(open.key, req.comment);
    if ('failure' in c) return c.failure;
    return { ok: true, detail: `commented on ${open.key}`, response: { key: open.key, created: false } };
  }
  const fields: Record<string, unknown> = { ...req.fields, project: { key: req.project } };
  if (req.fields.description !== undefined) fields.description = jira.doc(req.fields.description);
  const created = await jira.createIssue(fields);
  if ('failure' in created) return created.failure;
  return { ok: true, detail: `created ${created.value.key}`, response: { key: created.value.key, created: true } };
}

async function resolve(req: JiraResolveRequest, deps: DeliverDeps<JiraAccount>, account: JiraAccount): Promise<DeliveryResult> {
  const jira = jiraClient(account, deps);
  const found = await jira.searchOpen(req.project, req.label);
  if ('failure' in found) return found.failure;
  const open = found.value[0];
  if (!open) return { ok: true, detail: 'no open issue for this episode' };
  const ts = await jira.transitions(open.key);
  if ('failure' in ts) return ts.failure;
  const t = ts.value.find((x) => x.name.toLowerCase() === req.transition.toLowerCase());
  if (!t) {
    return {
      ok: false,
      retry: false,
      code: 'JIRA_TRANSITION_NOT_FOUND',
      message: `transition '${req.transition}' is not available on ${open.key} (available: ${ts.value.map((x) => x.name).join(', ') || 'none'})`,
    };
  }
  // Comment first: if the transition then fails, the retry repeats the comment (a duplicate) but still
  // transitions; the other order could lose the comment, since a retry no longer finds the issue open.
  const c = await jira.addComment(open.key, req.comment);
  if ('failure' in c) return c.failure;
  const done = await jira.transition(open.key, t.id);
  if ('failure' in done) return done.failure;
  return { ok: true, detail: `${open.key} transitioned to ${t.name}`, response: { key: open.key } };
}

/**
 * `_test` for a Jira account: checks that the project and issue type exist; creates an issue only with
 * `create: true`.
 */
export async function testAccount(
  account: JiraAccount,
  opts: { project: string; issue_type?: string; create?: boolean },
  deps: TestAccountDeps,
): Promise<TestAccountResult> {
  const jira = jiraClient(account, testDeliverDeps(account, deps, 'jira-test'));
  const type = opts.issue_type ?? 'Task';
  const p = await jira.project(opts.project);
  if ('failure' in p) return { ...p.failure, steps: ['project'] };
  const types = (p.value.issueTypes ?? []).map((t) => t.name);
  if (!types.some((t) => t.toLowerCase() === type.toLowerCase())) {
    return { ok: false, retry: false, code: 'JIRA_ISSUE_TYPE_NOT_FOUND', message: `issue type '${type}' not in project ${opts.project} (has: ${types.join(', ')})`, steps: ['project'] };
  }
  if (!opts.create) return { ok: true, detail: `project ${opts.project} and issue type ${type} exist`, steps: ['project'] };
  const created = await jira.createIssue({
    project: { key: opts.project },
    issuetype: { name: type },
    summary: 'Vigil account test',
    description: jira.doc('Created by the Vigil account test. It can be deleted.'),
    labels: ['vigil-account-test'],
  });
  if ('failure' in created) return { ...created.failure, steps: ['project', 'create'] };
  return { ok: true, detail: `created ${created.value.key}`, response: { key: created.value.key }, steps: ['project', 'create'] };
}

export const jiraAction: ActionType<JiraParams, JiraAccount> = {
  type: 'jira',
  params: jiraParams,
  account: {
    ...jiraAccount,
    required: true,
    destination: (account) => urlDestination(account.url),
    test: {
      body: z.strictObject({ project: z.string().max(256), issue_type: z.string().max(256).optional(), create: z.boolean().optional() }),
      run: testAccount,
    },
  },
  compile: compileJira,
  async deliver(n, deps) {
    const account = deps.account;
    if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'jira action needs a jira account' };
    const req = n.request as JiraRequest;
    return req.op === 'resolve' ? resolve(req, deps, account) : fire(req, deps, account);
  },
  conformance: {
    params: () => ({ project: 'OPS', issue: { type: 'Bug', summary: 'hello {{data.x}}' } }),
    account: {
      example: (base) => ({ url: base, user_name: 'u@example.com', auth_token: 'confJiraTokenQQ4455' }),
      secrets: ['confJiraTokenQQ4455', Buffer.from('u@example.com:confJiraTokenQQ4455').toString('base64')],
    },
    overHttp: true,
  },
};
