/**
 * A Jira REST receiver (v2 and v3) answering like Jira Cloud: Basic auth (e-mail + API token) or a
 * Bearer PAT (Data Center); JQL search (`/rest/api/2/search`, `/rest/api/3/search/jql`; the removed
 * `/rest/api/3/search` answers 410), create issue, comments, transitions, project. Validation and error
 * bodies follow Jira's `{"errorMessages":[…],"errors":{field: message}}`; v3 demands ADF for
 * descriptions and comments. `failNextCreate('hang')` creates the issue and never answers: the client
 * times out although Jira has the issue.
 */
import { startReceiver, type Receiver, type RecordedRequest, type Reply } from './base.ts';

export interface JiraIssue {
  id: string;
  key: string;
  project: string;
  fields: Record<string, any>;
  status: 'To Do' | 'In Progress' | 'Done';
  comments: unknown[];
}

export interface JiraReceiver extends Receiver {
  issues(): JiraIssue[];
  /** The next create stores the issue and then hangs (never answers). */
  failNextCreate(mode: 'hang'): void;
}

const TRANSITIONS = [
  { id: '11', name: 'To Do', to: 'To Do' },
  { id: '21', name: 'In Progress', to: 'In Progress' },
  { id: '31', name: 'Done', to: 'Done' },
] as const;

const err = (status: number, errorMessages: string[], errors: Record<string, string> = {}): Reply => ({ status, body: { errorMessages, errors } });

function isAdf(v: any): boolean {
  return v && typeof v === 'object' && v.type === 'doc' && v.version === 1 && Array.isArray(v.content);
}

export async function startJiraReceiver(opts: {
  user?: string;
  token?: string;
  bearer?: string;
  projects?: Record<string, string[]>;
} = {}): Promise<JiraReceiver> {
  const user = opts.user ?? 'oncall@example.com';
  const token = opts.token ?? 'ATATT3xJiraSecretToken0123';
  const projects = opts.projects ?? { OPS: ['Bug', 'Task', 'Sub-task'] };
  const issues: JiraIssue[] = [];
  let nextId = 10000;
  let hangCreate = false;
  let base = '';

  const authorised = (h: string | undefined) =>
    h === `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}` || (opts.bearer !== undefined && h === `Bearer ${opts.bearer}`);

  const find = (key: string) => issues.find((i) => i.key === key);

  function search(jql: string): Reply {
    // The JQL the action sends; anything else is a JQL error as Jira reports it.
    const m = /^project = "([^"]+)" AND labels = "([^"]+)" AND statusCategory != Done ORDER BY created DESC$/.exec(jql);
    if (!m) return err(400, [`Error in the JQL Query: unsupported query '${jql}'.`]);
    const found = issues
      .filter((i) => i.project === m[1] && (i.fields.labels as string[]).includes(m[2]!) && i.status !== 'Done')
      .reverse()
      .map((i) => ({ id: i.id, key: i.key, self: `${base}/rest/api/2/issue/${i.id}`, fields: { summary: i.fields.summary, status: { name: i.status } } }));
    return { status: 200, body: { startAt: 0, maxResults: 5, total: found.length, issues: found, isLast: true } };
  }

  function create(v: number, body: any): Reply | 'hang' {
    const f = body?.fields;
    if (!f || typeof f !== 'object') return err(400, ['Field fields is required.']);
    const errors: Record<string, string> = {};
    const proj = f.project?.key;
    if (!proj || !projects[proj]) errors.project = 'valid project is required';
    else if (!projects[proj]!.includes(f.issuetype?.name)) errors.issuetype = 'Specify a valid issue type';
    if (typeof f.summary !== 'string' || f.summary === '') errors.summary = 'You must specify a summary of the issue.';
    else if (f.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(f.summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
    if (f.description !== undefined) {
      if (v === 3 && !isAdf(f.description)) errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
      if (v === 2 && typeof f.description !== 'string') errors.description = 'Operation value must be a string';
    }
    for (const l of f.labels ?? []) if (typeof l !== 'string' || /\s/.test(l)) errors.labels = `The label '${l}' contains spaces which is invalid.`;
    if (f.priority !== undefined && !['Highest', 'High', 'Medium', 'Low', 'Lowest'].includes(f.priority?.name)) errors.priority = `Specify the Priority (name) in the string format`;
    if (f.parent !== undefined && !find(f.parent?.key)) errors.parent = 'Could not find issue by id or key.';
    if (Object.keys(errors).length) return err(400, [], errors);
    const id = String(nextId++);
    const issue: JiraIssue = { id, key: `${proj}-${issues.filter((i) => i.project === proj).length + 1}`, project: proj, fields: f, status: 'To Do', comments: [] };
    issues.push(issue);
    if (hangCreate) {
      hangCreate = false;
      return 'hang';
    }
    return { status: 201, body: { id, key: issue.key, self: `${base}/rest/api/${v}/issue/${id}` } };
  }

  const handle = (r: RecordedRequest): Reply | 'hang' => {
    if (!authorised(r.headers.authorization)) {
      return { status: 401, body: 'Client must be authenticated to access this resource.', headers: { 'www-authenticate': 'Basic realm="protected-area"' } };
    }
    const u = new URL(r.url, 'http://x');
    const m = /^\/rest\/api\/(2|3)(\/.*)$/.exec(u.pathname);
    if (!m) return err(404, ['Not found']);
    const v = Number(m[1]);
    const path = m[2]!;
    if (r.method !== 'GET' && !(r.headers['content-type'] ?? '').startsWith('application/json')) return { status: 415, body: 'Unsupported Media Type' };
    if (r.method === 'GET' && path === '/search') {
      if (v === 3) return err(410, ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.']);
      return search(u.searchParams.get('jql') ?? '');
    }
    if (r.method === 'GET' && path === '/search/jql' && v === 3) return search(u.searchParams.get('jql') ?? '');
    if (r.method === 'POST' && path === '/issue') return create(v, r.json);
    let pm = /^\/issue\/([^/]+)\/comment$/.exec(path);
    if (pm && r.method === 'POST') {
      const issue = find(decodeURIComponent(pm[1]!));
      if (!issue) return err(404, ['Issue does not exist or you do not have permission to see it.']);
      const body = (r.json as any)?.body;
      if (v === 3 ? !isAdf(body) : typeof body !== 'string' || body === '') return err(400, [], { comment: 'Comment body can not be empty!' });
      issue.comments.push(body);
      return { status: 201, body: { id: String(issue.comments.length), body } };
    }
    pm = /^\/issue\/([^/]+)\/transitions$/.exec(path);
    if (pm) {
      const issue = find(decodeURIComponent(pm[1]!));
      if (!issue) return err(404, ['Issue does not exist or you do not have permission to see it.']);
      if (r.method === 'GET') {
        return { status: 200, body: { expand: 'transitions', transitions: TRANSITIONS.map((t) => ({ id: t.id, name: t.name, to: { name: t.to } })) } };
      }
      const id = (r.json as any)?.transition?.id;
      const t = TRANSITIONS.find((x) => x.id === id);
      if (!t) return err(400, [`Transition id '${id}' is not valid for this issue.`]);
      issue.status = t.to;
      return { status: 204 };
    }
    pm = /^\/project\/([^/]+)$/.exec(path);
    if (pm && r.method === 'GET') {
      const key = decodeURIComponent(pm[1]!);
      const types = projects[key];
      if (!types) return err(404, [`No project could be found with key '${key}'.`]);
      return { status: 200, body: { id: '10001', key, name: key, issueTypes: types.map((n, i) => ({ id: String(10100 + i), name: n })) } };
    }
    return err(404, ['Not found']);
  };

  const rec = await startReceiver(handle);
  base = rec.url;
  return {
    ...rec,
    issues: () => issues,
    failNextCreate: () => {
      hangCreate = true;
    },
  };
}
