/**
 * What the documentation examples run against: a test cluster holding the indices they search (fixed
 * documents, timestamps relative to NOW), an HTTP client answering the HTTP inputs' URLs, and the
 * accounts, stored proxies and trust stores they name. Everything is in this process; nothing leaves
 * the machine.
 */
import { VigilError } from '../../../src/errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../src/net/types.ts';
import type { StoredRefs } from '../../../src/request/stored-refs.ts';
import type { TestCluster } from '../../cluster/server.ts';

export const NOW = '2026-03-02T10:00:00.000Z';
const now = Date.parse(NOW);
const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();

/** Seeds every index the examples search. */
export function seedCluster(cluster: TestCluster): void {
  // Kibana's sample flights, reduced: average ticket price 450 over the last hour; 12 flights to bad weather in the last 4 hours.
  const weather = ['Thunder & Lightning', 'Thunder & Lightning', 'Sunny', 'Rain'];
  cluster.seed(
    'kibana_sample_data_flights',
    Array.from({ length: 16 }, (_, i) => ({
      FlightNum: `F${100 + i}`,
      OriginAirportID: 'FRA',
      DestAirportID: i % 2 ? 'ZRH' : 'FCO',
      DestWeather: i < 12 ? weather[i % 2] : weather[2 + (i % 2)],
      AvgTicketPrice: i < 8 ? 300 + i * 10 : 600 - (i - 8) * 10,
      timestamp: minutesAgo(i < 8 ? 5 + i * 5 : 70 + i * 5),
    })),
    { FlightNum: { type: 'keyword' }, OriginAirportID: { type: 'keyword' }, DestAirportID: { type: 'keyword' }, DestWeather: { type: 'keyword' }, AvgTicketPrice: { type: 'float' }, timestamp: { type: 'date' } },
  );
  // Web server logs with 12 answers of status 500.
  cluster.seed(
    'serverlogs',
    Array.from({ length: 20 }, (_, i) => ({ '@timestamp': minutesAgo(i), statuscode: i < 12 ? '500' : '200', path: `/api/${i}` })),
    { '@timestamp': { type: 'date' }, statuscode: { type: 'keyword' }, path: { type: 'keyword' } },
  );
  // 600 errors: severity level `error` in the severity examples (thresholds 100/500/1000).
  cluster.seed('errors', Array.from({ length: 600 }, (_, i) => ({ message: `error ${i}`, '@timestamp': minutesAgo(i % 60) })), { message: { type: 'text' }, '@timestamp': { type: 'date' } });
  // Search Guard audit log: three failed logins in the last five minutes, one older.
  cluster.seed(
    'auditlog-2026.03.02',
    [
      { audit_category: 'FAILED_LOGIN', audit_request_effective_user: 'kirk', '@timestamp': minutesAgo(1) },
      { audit_category: 'FAILED_LOGIN', audit_request_effective_user: 'kirk', '@timestamp': minutesAgo(2) },
      { audit_category: 'FAILED_LOGIN', audit_request_effective_user: 'spock', '@timestamp': minutesAgo(3) },
      { audit_category: 'FAILED_LOGIN', audit_request_effective_user: 'spock', '@timestamp': minutesAgo(30) },
      { audit_category: 'GRANTED_PRIVILEGES', audit_request_effective_user: 'uhura', '@timestamp': minutesAgo(1) },
    ],
    { audit_category: { type: 'text' }, audit_request_effective_user: { type: 'text' }, '@timestamp': { type: 'date' } },
  );
  // Host memory samples for the calculation example: average 12 500.
  cluster.seed('hostlogs', [10_000, 12_000, 15_500].map((memory, i) => ({ host: `web-${i}`, memory })), { host: { type: 'keyword' }, memory: { type: 'long' } });
}

/** Answers the documentation's HTTP inputs (jsonplaceholder's to-do items) and records every request. */
export function docsHttp(): HttpClient & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async request(req): Promise<HttpResponse> {
      requests.push(req);
      const todo = /^https:\/\/jsonplaceholder\.typicode\.com\/todos\/(\d+)$/.exec(req.url);
      if (todo) return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 1, id: Number(todo[1]), title: 'delectus aut autem', completed: false }), truncated: false };
      // The proxies page's test endpoint, and the trust stores page's thermometer (27 °C: critical).
      if (req.url === 'http://localhost:8080/test') return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"test":"ok"}', truncated: false };
      if (req.url === 'https://localhost:8999/current-temperature') return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"temperature":27}', truncated: false };
      return { status: 404, headers: {}, body: '', truncated: false };
    },
    close: async () => {},
  };
}

/** The accounts the examples name (`default` where they name none); never resolved under --simulate. */
export const ACCOUNTS = {
  email: Object.fromEntries(['default', 'internal_mail', 'it_smtp', 'default_mail'].map((id) => [id, { host: 'smtp.example.com', port: 587 }])),
  slack: Object.fromEntries(['default', 'internal_slack'].map((id) => [id, { url: `https://hooks.slack.com/services/T0/B0/${id}` }])),
  pagerduty: { default: { integration_key: 'docs-integration-key' } },
  jira: { default: { url: 'https://examplejira.atlassian.net/', user_name: 'example.user@example.com', auth_token: 'docs-token' } },
};

/**
 * The stored proxies and trust store the proxies and trust stores pages name. The in-process HTTP
 * client connects nowhere, so the certificate is a placeholder: what matters is that it reaches the request.
 */
export const STORED = {
  proxies: { 'my-proxy-id': 'http://proxy.example.com:3128', '127.0.0.1:9199': 'http://127.0.0.1:9199' } as Record<string, string>,
  truststores: { 'iot-truststore': '-----BEGIN CERTIFICATE-----\n(iot CA)\n-----END CERTIFICATE-----' } as Record<string, string>,
};

export function storedRefs(): StoredRefs {
  const get = (map: Record<string, string>, what: string, id: string) =>
    map[id] !== undefined ? Promise.resolve(map[id]) : Promise.reject(new VigilError('NOT_FOUND', `${what} ${id} not found`));
  return { proxyUri: async (id) => get(STORED.proxies, 'proxy', id), truststorePem: async (id) => get(STORED.truststores, 'trust store', id) };
}
