/**
 * The few Jira REST calls the action needs (v2 and v3): JQL search, create issue, add comment, list
 * and apply transitions, read a project. Each returns parsed JSON or a ready DeliveryResult failure
 * (redacted: the token and the Basic credentials are scrubbed from every message).
 */
import type { DeliverDeps, DeliveryResult } from '../types.ts';
import type { HttpResponse } from '../../net/types.ts';
import { responseDetail, send, statusFailure } from '../shared/http-outcome.ts';
import { textToAdf } from './adf.ts';
import type { JiraAccount } from './schema.ts';

export type Failure = DeliveryResult & { ok: false };
export type Outcome<T> = { value: T } | { failure: Failure };

export interface JiraClient {
  readonly version: 2 | 3;
  /** Open issues of `project` carrying `label`, newest first. */
  searchOpen(project: string, label: string): Promise<Outcome<Array<{ key: string }>>>;
  createIssue(fields: Record<string, unknown>): Promise<Outcome<{ key: string }>>;
  addComment(key: string, text: string): Promise<Outcome<unknown>>;
  transitions(key: string): Promise<Outcome<Array<{ id: string; name: string }>>>;
  transition(key: string, id: string): Promise<Outcome<unknown>>;
  project(key: string): Promise<Outcome<{ key: string; issueTypes?: Array<{ name: string }> }>>;
  /** Text as the API version wants it in `description` / comment `body`. */
  doc(text: string): unknown;
}

/** JQL string literal: quotes and backslashes escaped so a templated key cannot change the query. */
export function jqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function jiraClient(account: JiraAccount, deps: Pick<DeliverDeps<unknown>, 'http' | 'clock' | 'signal'>): JiraClient {
  const version = account.api_version ?? 2;
  const base = `${account.url.replace(/\/+$/, '')}/rest/api/${version}`;
  const basic = account.user_name !== undefined ? `${account.user_name}:${account.auth_token}` : undefined;
  const secrets = [account.auth_token, basic, basic && Buffer.from(basic).toString('base64')];
  const authorization = (account.auth_type ?? 'basic') === 'bearer' ? `Bearer ${account.auth_token}` : `Basic ${Buffer.from(basic ?? '').toString('base64')}`;

  async function call<T>(method: string, path: string, body: unknown, expect: number[]): Promise<Outcome<T>> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const sent = await send(
      deps.http,
      { method, url: `${base}${path}`, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: deps.signal },
      secrets,
    );
    if ('failure' in sent) return sent;
    const res: HttpResponse = sent.res;
    if (!expect.includes(res.status)) {
      return { failure: statusFailure(res, deps.clock.now(), `${method} ${path.split('?')[0]}: ${responseDetail(res, secrets)}`) as Failure };
    }
    if (!res.body) return { value: undefined as T };
    try {
      return { value: JSON.parse(res.body) as T };
    } catch {
      return { value: undefined as T };
    }
  }

  return {
    version,
    doc: (text) => (version === 3 ? textToAdf(text) : text),
    async searchOpen(project, label) {
      const jql = `project = ${jqlString(project)} AND labels = ${jqlString(label)} AND statusCategory != Done ORDER BY created DESC`;
      const q = new URLSearchParams({ jql, fields: 'summary,status', maxResults: '5' });
      // Cloud removed GET /rest/api/3/search in favour of /search/jql; Data Center only has v2's /search.
      const path = version === 3 ? `/search/jql?${q}` : `/search?${q}`;
      const r = await call<{ issues?: Array<{ key: string }> }>('GET', path, undefined, [200]);
      return 'failure' in r ? r : { value: r.value?.issues ?? [] };
    },
    createIssue: (fields) => call<{ key: string }>('POST', '/issue', { fields }, [201]),
    addComment: (key, text) => call('POST', `/issue/${encodeURIComponent(key)}/comment`, { body: version === 3 ? textToAdf(text) : text }, [201]),
    async transitions(key) {
      const r = await call<{ transitions?: Array<{ id: string; name: string }> }>('GET', `/issue/${encodeURIComponent(key)}/transitions`, undefined, [200]);
      return 'failure' in r ? r : { value: r.value?.transitions ?? [] };
    },
    transition: (key, id) => call('POST', `/issue/${encodeURIComponent(key)}/transitions`, { transition: { id } }, [204, 200]),
    project: (key) => call('GET', `/project/${encodeURIComponent(key)}`, undefined, [200]),
  };
}
