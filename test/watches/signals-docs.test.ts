/**
 * Every watch and account example of Search Guard Signals' documentation (signals-docs/, see its
 * README for the page each came from and how fragments were completed): each validates, and runs
 * simulated — against a test cluster holding the indices it searches, an in-process HTTP answerer
 * and the accounts, stored proxies and trust stores it names — with the outcome Signals would give.
 * Examples Signals itself refuses stay refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileWatch, type CompiledWatch } from '../../src/watches/compile.ts';
import { ClusterRegistry } from '../../src/cluster/index.ts';
import { actionTypes } from '../../src/actions/index.ts';
import { silentLogger } from '../../src/log.ts';
import type { WatchLogRecord, WatchStatusCode } from '../../src/state/records.ts';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { compileEnv, fixedAccounts, runtimeKit, type RuntimeKit } from '../kit/runtime.ts';
import { vigil } from '../cli/spawn-vigil.ts';
import { ACCOUNTS, NOW, STORED, docsHttp, seedCluster, storedRefs } from './signals-docs/fixtures.ts';

const DIR = new URL('./signals-docs/', import.meta.url).pathname;
const read = (path: string): unknown => JSON.parse(readFileSync(join(DIR, path), 'utf8'));
const names = (folder: string) => readdirSync(join(DIR, folder)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

/** What the action examples' templates read: Signals' `_execute` takes it as `input`. */
const ACTION_INPUT = {
  source: { FlightNum: 'F123', OriginAirportID: 'FRA', DestAirportID: 'ZRH' },
  bad_weather_flights: { hits: { total: { value: 12 } } },
  constants: { window: '4h' },
  cheese_stock: 3,
  mysearch: { hits: { total: { value: 5 } } },
};

type Http = ReturnType<typeof docsHttp>;
interface Expectation {
  status: WatchStatusCode;
  /** Initial runtime data (Signals `_execute` `input`). */
  input?: Record<string, unknown>;
  /** The first fire times after NOW (UTC); `[]` for a watch that runs only on demand. */
  next?: string[];
  then?: (rec: WatchLogRecord, http: Http) => void;
}

const data = (rec: WatchLogRecord) => rec.data as Record<string, any>;
/** The request the n-th action would have sent (shown with credentials redacted). */
const sent = (rec: WatchLogRecord, n = 0, i = 0) => (rec.actions[n]!.request as Array<Record<string, any>>)[i]!;
const on = (...dates: string[]) => dates.map((d) => new Date(d).toISOString());

const WATCHES: Record<string, Expectation> = {
  // Triggers: no checks, no actions; what matters is when they fire (NOW is Monday 2026-03-02 10:00 UTC).
  'trigger-hourly': { status: 'NO_ACTION', next: on('2026-03-02T10:30Z', '2026-03-02T11:30Z') },
  'trigger-hourly-minutes': { status: 'NO_ACTION', next: on('2026-03-02T10:30Z', '2026-03-02T11:00Z') },
  'trigger-daily': { status: 'NO_ACTION', next: on('2026-03-02T14:00Z', '2026-03-03T14:00Z') },
  'trigger-daily-times': { status: 'NO_ACTION', next: on('2026-03-02T14:00Z', '2026-03-02T17:00Z', '2026-03-03T14:00Z') },
  'trigger-weekly': { status: 'NO_ACTION', next: on('2026-03-05T14:00Z', '2026-03-12T14:00Z') },
  'trigger-weekly-days-times': { status: 'NO_ACTION', next: on('2026-03-05T14:00Z', '2026-03-05T17:00Z', '2026-03-06T14:00Z', '2026-03-06T17:00Z') },
  'trigger-weekly-list': { status: 'NO_ACTION', next: on('2026-03-05T14:00Z', '2026-03-06T17:00Z', '2026-03-12T14:00Z') },
  'trigger-monthly': { status: 'NO_ACTION', next: on('2026-03-15T14:00Z', '2026-04-15T14:00Z') },
  'trigger-monthly-days-times': { status: 'NO_ACTION', next: on('2026-03-15T08:00Z', '2026-03-15T14:00Z', '2026-04-01T08:00Z') },
  'trigger-interval': { status: 'NO_ACTION', next: on('2026-03-02T10:10Z', '2026-03-02T10:20Z') },
  'trigger-interval-list': { status: 'NO_ACTION', next: on('2026-03-02T10:10Z', '2026-03-02T10:20Z', '2026-03-02T10:30Z', '2026-03-02T10:40Z', '2026-03-02T10:45Z') },
  'trigger-cron': { status: 'NO_ACTION', next: on('2026-03-02T10:00:10Z', '2026-03-02T10:00:20Z') },
  'trigger-cron-list': { status: 'NO_ACTION', next: on('2026-03-02T10:02Z', '2026-03-02T10:04Z') },
  'trigger-overview-weekly': { status: 'NO_ACTION', next: on('2026-03-05T14:40:45Z', '2026-03-12T14:40:45Z') },
  // Berlin is UTC+1 until the end of March.
  'trigger-timezone': { status: 'NO_ACTION', next: on('2026-03-02T11:00Z', '2026-03-02T17:00Z', '2026-03-04T11:00Z') },

  'input-static': { status: 'NO_ACTION', next: on('2026-03-02T10:01Z'), then: (rec) => expect(data(rec).myconstants).toMatchObject({ threshold: 10, admin_firstname: 'Paul' }) },
  'input-search-audit-log': {
    status: 'NO_ACTION',
    next: [],
    then: (rec) => {
      const log = data(rec).auditlog;
      expect(log.hits.total.value).toBe(3);
      expect(log.aggregations.failed_logins.buckets.map((b: { key: string; doc_count: number }) => [b.key, b.doc_count])).toEqual([['kirk', 2], ['spock', 1]]);
    },
  },
  'input-http': {
    status: 'NO_ACTION',
    then: (rec, http) => {
      expect(data(rec).samplejson).toMatchObject({ id: 1, title: 'delectus aut autem' });
      expect(http.requests.at(-1)).toMatchObject({ method: 'GET', url: 'https://jsonplaceholder.typicode.com/todos/1', headers: { 'My-Secret-Token': 'pizza' } });
    },
  },
  'input-http-dynamic-path': { status: 'NO_ACTION', then: (rec, http) => (expect(http.requests.at(-1)!.url).toBe('https://jsonplaceholder.typicode.com/todos/7'), expect(data(rec).samplejson.id).toBe(7)) },
  'input-http-basic-auth': { status: 'NO_ACTION', then: (_, http) => expect(http.requests.at(-1)!.headers).toMatchObject({ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }) },
  'input-http-tls': { status: 'NO_ACTION', then: (_, http) => expect(http.requests.at(-1)!.tls).toMatchObject({ client_auth: { private_key_password: 'secret' } }) },

  'condition-hits': { status: 'NO_ACTION', then: (rec) => expect(data(rec).mysearch.hits.total.value).toBe(12) },
  'condition-server-errors': { status: 'NO_ACTION', then: (rec) => expect(data(rec).http_error_500.hits.total.value).toBe(12) },
  'condition-escalation': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: { http_error_500: { hits: { total: { value: 150 } } } },
    then: (rec) => {
      expect(rec.actions.map((a) => a.status.code)).toEqual(['SIMULATED_ACTION_EXECUTED', 'SIMULATED_ACTION_EXECUTED']);
      expect(sent(rec, 1)).toMatchObject({ to: ['management@example.com'], text: 'Found more than 150 hits.' });
    },
  },
  'transform-extract-hits': { status: 'NO_ACTION', then: (rec) => expect(data(rec).mysearchresult).toHaveLength(10) },
  'calc-average-memory': { status: 'NO_ACTION', then: (rec) => expect(data(rec).average_memory).toBe(12_500) },
  'calc-in-action': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: { logs: { hits: { hits: [10_000, 12_000, 15_500].map((memory) => ({ _source: { memory } })) } } },
    then: (rec) => expect(sent(rec)).toMatchObject({ subject: 'Warning: Critical average memory consumption', text: 'Average memory consumption: 12500' }),
  },
  'chaining-mustache-webhook': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: { avg_ticket_price: { aggregations: { when: { value: 335 } } }, constants: { window: '1h' } },
    then: (rec) => expect(JSON.parse(sent(rec).body)).toEqual({ text: 'Average flight ticket price decreased to 335 over last 1h' }),
  },

  'sample-avg-ticket-price': {
    status: 'SIMULATED_ACTION_EXECUTED',
    next: on('2026-03-02T10:01Z'),
    then: (rec) => expect(sent(rec)).toMatchObject({ channel: '#warnings', text: 'Average flight ticket price decreased to 335 over last 1h' }),
  },
  // The page's second sample compares with data.constants.ticket_price, which its constants lack:
  // Signals fails that condition too (a null operand of <).
  'sample-avg-ticket-price-severity': { status: 'EXECUTION_FAILED', then: (rec) => expect(rec.error).toMatchObject({ check: 'low_price', message: expect.stringMatching(/null/) }) },

  'severity-mapping': { status: 'NO_ACTION', next: [], then: (rec) => expect(rec.severity).toMatchObject({ level: { id: 'error' }, value: 600, threshold: 500 }) },
  'severity-actions': { status: 'SIMULATED_ACTION_EXECUTED', then: (rec) => expect(sent(rec).text).toBe('Severity level is now Error because 600 >= 500') },
  // Nothing to resolve on a first run.
  'severity-resolve-actions': {
    status: 'NO_ACTION',
    then: (rec) => (expect(rec.severity).toMatchObject({ level: { id: 'error' } }), expect(rec.resolve_actions.map((a) => a.status.code)).toEqual(['NO_ACTION'])),
  },

  'throttling-email': { status: 'SIMULATED_ACTION_EXECUTED', then: (rec) => expect(sent(rec)).toMatchObject({ to: ['notify@example.com'], subject: '...', text: '...' }) },
  'actions-mustache-loop': { status: 'SIMULATED_ACTION_EXECUTED', then: (rec) => expect(sent(rec).text).toMatch(/^Found errors:\n\n\* error 0 \n\* error 1 /) },
  'actions-foreach': {
    status: 'SIMULATED_ACTION_EXECUTED',
    then: (rec) => {
      const bodies = (rec.actions[0]!.request as Array<{ body: string }>).map((r) => r.body);
      expect(bodies).toHaveLength(10);
      expect(bodies[0]).toBe('error 0');
    },
  },

  'email-basic': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: ACTION_INPUT,
    then: (rec) =>
      expect(sent(rec)).toMatchObject({
        subject: 'Bad destination weather for 12 flights over last 4h!',
        text: 'Flight Number: F123\n  Route: FRA -> ZRH',
        html: '<p>Flight Number: F123\n  Route: FRA -> ZRH</p>',
        attachments: [{ filename: 'attachment.txt', source: 'request', request: { method: 'GET', url: 'https://my.test.web.hook/report' } }],
      }),
  },
  'email-attachment-basic-auth': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: ACTION_INPUT,
    then: (rec) => expect(sent(rec).attachments[0].request.auth).toEqual({ type: 'basic', username: 'admin', password: '[redacted]' }),
  },
  'email-attachment-tls': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: ACTION_INPUT,
    then: (rec) => expect(sent(rec).attachments[0].request.tls.client_auth).toMatchObject({ private_key: '[redacted]', private_key_password: '[redacted]' }),
  },
  'webhook-basic': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: ACTION_INPUT,
    then: (rec) => expect(sent(rec)).toMatchObject({ method: 'POST', url: 'https://my.test.web.hook/endpoint', body: '{"flight_number": "F123"}', headers: { 'content-type': 'application/json' } }),
  },
  'webhook-dynamic-path': { status: 'SIMULATED_ACTION_EXECUTED', input: ACTION_INPUT, then: (rec) => expect(sent(rec).url).toBe('https://my.test.web.hook/fight/F123') },
  'webhook-basic-auth': { status: 'SIMULATED_ACTION_EXECUTED', then: (rec) => expect(sent(rec).auth).toEqual({ type: 'basic', username: 'admin', password: '[redacted]' }) },
  'webhook-tls': { status: 'SIMULATED_ACTION_EXECUTED', then: (rec) => expect(sent(rec).tls.client_auth).toMatchObject({ private_key: '[redacted]', private_key_password: '[redacted]' }) },
  'slack-basic': { status: 'SIMULATED_ACTION_EXECUTED', input: ACTION_INPUT, then: (rec) => expect(sent(rec).text).toBe(':warning:\n**Bad destination weather** for 12 flights over last 4h') },
  'slack-blocks': { status: 'SIMULATED_ACTION_EXECUTED', input: ACTION_INPUT, then: (rec) => expect(sent(rec).blocks[0].text.text).toMatch(/for 12 flights over last 4h$/) },
  'slack-attachments': { status: 'SIMULATED_ACTION_EXECUTED', input: ACTION_INPUT, then: (rec) => expect(sent(rec).attachments[0].blocks).toHaveLength(3) },
  'pagerduty-basic': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: ACTION_INPUT,
    then: (rec) => expect(sent(rec)).toMatchObject({ event_action: 'trigger', dedup_key: 'cheese_stock_shortage', payload: { summary: 'Cheese stock < 3', source: 'Cheese shop' } }),
  },
  'jira-basic': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: ACTION_INPUT,
    then: (rec) => expect(sent(rec)).toMatchObject({ project: 'JP', fields: { summary: 'Cheese stock < 3', issuetype: { name: 'Bug' }, description: 'Please take action' } }),
  },
  'index-basic-named': { status: 'SIMULATED_ACTION_EXECUTED', input: ACTION_INPUT, then: (rec) => expect(sent(rec)).toMatchObject({ index: 'testindex', docs: [{ flight_num: 'F123', dest: 'ZRH' }] }) },
  'index-multiple-documents-named': { status: 'SIMULATED_ACTION_EXECUTED', then: (rec) => expect(sent(rec).docs).toEqual([{ x: 1 }, { x: 2 }]) },
  'signl4-events-api': {
    status: 'SIMULATED_ACTION_EXECUTED',
    input: ACTION_INPUT,
    then: (rec) => expect(sent(rec)).toMatchObject({ headers: { 'x-s4-api-key': '[redacted]' }, body: 'Title: Signals Alert\nMessage: 5 hits detected\nX-S4-ExternalID: signl4-events-api' }),
  },
  'signl4-webhook': { status: 'SIMULATED_ACTION_EXECUTED', input: ACTION_INPUT, then: (rec) => expect(JSON.parse(sent(rec).body)).toEqual({ Title: '5 errors detected', Message: 'Watch signl4-webhook triggered' }) },

  // Stored proxies: the check's request goes through the one stored as "127.0.0.1:9199" (resolved when
  // sent); the webhook, simulated, names "my-proxy-id" and shows it by id.
  'proxies-watch': {
    status: 'SIMULATED_ACTION_EXECUTED',
    next: on('2026-03-02T10:00:30Z'),
    then: (rec, http) => {
      expect(data(rec).samplejson).toEqual({ test: 'ok' });
      expect(http.requests.at(-1)).toMatchObject({ url: 'http://localhost:8080/test', proxy: STORED.proxies['127.0.0.1:9199'] });
      expect(http.requests.at(-1)!.proxyId).toBeUndefined();
      expect(sent(rec)).toMatchObject({ method: 'GET', url: 'http://localhost:8080/test', proxyId: 'my-proxy-id' });
    },
  },
  // A stored trust store: the thermometer's certificate is trusted through it (its certificates reach
  // the request), and 27 °C is critical, so the webhook would be sent.
  'trust-stores-watch': {
    status: 'SIMULATED_ACTION_EXECUTED',
    then: (rec, http) => {
      expect(rec.severity).toMatchObject({ level: { id: 'critical' }, value: 27 });
      expect(http.requests.at(-1)!.tls).toEqual({ trusted_certs: STORED.truststores['iot-truststore'], client_session_timeout: 1000 });
      expect(sent(rec)).toMatchObject({ url: 'https://localhost:8999/temperature_limit_exceeded', tls: { truststore_id: 'iot-truststore', client_session_timeout: 1000 } });
    },
  },

  // 12 flights to bad weather in the last 4 hours, but a search returns 10 hits by default, so
  // `hits.hits.length > 10` is false: in Signals as here, these watches never notify.
  'rest-put-bad-weather': { status: 'NO_ACTION', next: on('2026-03-02T10:01Z'), then: (rec) => expect(data(rec).bad_weather_flights.hits.total.value).toBe(12) },
  'rest-get-source': { status: 'NO_ACTION', next: on('2026-03-02T10:01Z'), then: (rec) => expect(data(rec).bad_weather_flights.hits.hits).toHaveLength(10) },
  'rest-search-source': { status: 'SIMULATED_ACTION_EXECUTED', next: on('2026-03-02T10:00:01Z'), then: (rec) => expect(sent(rec)).toMatchObject({ from: 'x@x.com', subject: 'Bad destination weather for 12 flights over last !' }) },
  'rest-convert-es-result': {
    status: 'SIMULATED_ACTION_EXECUTED',
    next: on('2026-03-02T12:00Z'),
    then: (rec) => {
      expect(data(rec)).toEqual({ x: 'y' });
      expect(sent(rec, 0)).toMatchObject({ to: ['horst@horst'], text: 'Hallo y' });
      expect(sent(rec, 1)).toMatchObject({ index: 'foo', docs: [{ x: 'y', holla: NOW }] });
    },
  },
};

/** Examples Signals refuses too, and the paths Vigil names. */
const REJECTED: Record<string, string[]> = {
  'input-static-template-in-trigger': ['trigger.schedule.interval'],
  // Signals accepts two actions of one name but then keeps one state for both; see the README.
  'condition-escalation-same-name': ['actions[1].name'],
  'transform-stored-script': ['actions[0].checks[0].script_id', 'actions[0].checks[0].source'],
  'actions-common-properties': ['actions[0].text_body'],
  'index-basic': ['actions[0].name'],
  'index-multiple-documents': ['actions[0].name'],
  'rest-put-invalid': ['actions[0].name', 'checks[0].type', 'trigger.schedule.cron'],
};

const env = compileEnv();
const compile = (raw: unknown, id: string) => compileWatch(raw, { tenant: '_main', id }, env);

describe('the corpus', () => {
  it('has an expectation for every file and the README lists every file with its page', () => {
    expect(names('watches')).toEqual(Object.keys(WATCHES).sort());
    expect(names('rejected')).toEqual(Object.keys(REJECTED).sort());
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| `([\w/-]+)\.json` \| \[[^\]]+\]\(https:\/\/docs\.search-guard\.com\/latest\/[\w-]+\)/gm)].map((m) => m[1]);
    const files = [...['watches', 'rejected'].flatMap((f) => names(f).map((n) => `${f}/${n}`)), ...accountFiles('accounts'), ...accountFiles('accounts-rejected')];
    expect(listed.sort()).toEqual(files.sort());
  });
});

function accountFiles(folder: string): string[] {
  return readdirSync(join(DIR, folder)).flatMap((type) => names(`${folder}/${type}`).map((n) => `${folder}/${type}/${n}`));
}

describe('documentation watches: valid, and running as in Signals (simulated)', () => {
  let cluster: TestCluster;
  let registry: ClusterRegistry;
  let kit: RuntimeKit;
  const http = docsHttp();
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9', now: () => Date.parse(NOW) });
    seedCluster(cluster);
    registry = new ClusterRegistry([{ name: 'default', urls: [cluster.url] }], silentLogger());
    kit = runtimeKit({ start: NOW, http, searchClient: (c) => registry.get(c), accounts: fixedAccounts(ACCOUNTS), storedRefs: storedRefs() });
  });
  afterAll(async () => {
    await kit.close();
    await registry.closeAll();
    await cluster.close();
  });

  it.each(Object.entries(WATCHES))('%s', async (name, x) => {
    const raw = read(`watches/${name}.json`) as Record<string, unknown>;
    const res = compile(raw, name);
    if (!res.ok) expect.fail(`${name} is invalid: ${JSON.stringify(res.detail)}`);
    if (x.next) expect(nextFires(res.watch, x.next.length)).toEqual(x.next);
    // The runtime data goes into the record only with log_runtime_data; the examples' own value is kept otherwise.
    const logged = compile({ ...raw, log_runtime_data: true }, name);
    if (!logged.ok) throw new Error('unreachable');
    const rec = await kit.runner.run(logged.watch, { fire: null, simulate: true, ...(x.input ? { input: structuredClone(x.input) } : {}) });
    expect(rec.status.code, JSON.stringify(rec.error ?? rec.actions.map((a) => a.error))).toBe(x.status);
    x.then?.(rec, http);
  });
});

/** The next `n` fire times after NOW (interval triggers anchored at NOW, as when the watch is loaded then). */
function nextFires(w: CompiledWatch, n: number): string[] {
  const out: string[] = [];
  const start = Date.parse(NOW);
  for (let t = start; out.length < n; ) {
    const next = w.schedule.next(t, start);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    t = next;
  }
  return out;
}

describe('documentation examples Signals refuses stay refused', () => {
  it.each(Object.entries(REJECTED))('%s', (name, paths) => {
    const res = compile(read(`rejected/${name}.json`), name);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(Object.keys(res.detail).sort()).toEqual(paths);
  });
});

describe('documentation accounts', () => {
  const schema = (type: string) => actionTypes.find((t) => t.type === type)!.account!.schema;
  it.each(accountFiles('accounts'))('%s is a valid account', (file) => {
    const type = file.split('/')[1]!;
    const res = schema(type).safeParse(read(`${file}.json`));
    expect(res.success, JSON.stringify(res.error?.issues)).toBe(true);
  });

  it('the invalid e-mail account of the Put Account page is refused on host and default_bcc, as in Signals', () => {
    const res = schema('email').safeParse(read('accounts-rejected/email/rest-put-invalid.json'));
    expect(res.success).toBe(false);
    expect([...new Set(res.error!.issues.map((i) => i.path.join('.')))].sort()).toEqual(['default_bcc', 'host']);
  });
});

describe('through the command line', () => {
  it('vigil validate accepts every documentation watch and refuses each example Signals refuses', async () => {
    const [ok, bad] = await Promise.all([vigil(['validate', join(DIR, 'watches')]), vigil(['validate', join(DIR, 'rejected')])]);
    const count = Object.keys(WATCHES).length;
    expect(ok.stdout).toBe('');
    expect(ok.stderr).toBe(`${count} of ${count} watch file(s) valid\n`);
    expect(ok.code).toBe(0);
    expect(bad.code).toBe(1);
    const rejected = Object.keys(REJECTED).length;
    expect(bad.stderr).toBe(`0 of ${rejected} watch file(s) valid\n`);
  });

  it('vigil execute --simulate runs the sample watch of "How Signals Alerting works" against a cluster', async () => {
    const cluster = await startTestCluster({ flavour: 'es9' });
    try {
      // The real clock here: the sample's window is "now-1h", so the flights are seeded relative to now.
      const offset = Date.now() - Date.parse(NOW);
      seedCluster({ ...cluster, seed: (index, docs, mappings) => cluster.seed(index, docs.map((d) => shiftTimes(d, offset)), mappings) });
      const res = await vigil(['execute', join(DIR, 'watches', 'sample-avg-ticket-price.json'), '--simulate', '--cluster', cluster.url], { env: { VIGIL_MASTER_KEY: undefined } });
      expect(res.code).toBe(0);
      const rec = JSON.parse(res.stdout);
      expect(rec.status.code).toBe('SIMULATED_ACTION_EXECUTED');
      expect(rec.actions[0].request[0]).toMatchObject({ channel: '#warnings', text: 'Average flight ticket price decreased to 335 over last 1h' });
      expect(res.stderr).toContain("actions[0].account: slack account 'default'");
    } finally {
      await cluster.close();
    }
  });
});

function shiftTimes(doc: Record<string, unknown>, offsetMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...doc };
  for (const k of ['timestamp', '@timestamp']) if (typeof out[k] === 'string') out[k] = new Date(Date.parse(out[k] as string) + offsetMs).toISOString();
  return out;
}
