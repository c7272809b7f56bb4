/**
 * Builds DeliverDeps and RenderInfo for action tests: a real HTTP client, a fake clock at the view's
 * time, and a pino logger (configured like the daemon's) whose output is captured so tests can grep it
 * for secrets.
 */
import type { DeliverDeps, RenderInfo, TemplateView } from '../../src/actions/types.ts';
import type { HttpClient } from '../../src/net/types.ts';
import { FakeClock } from './fake-clock.ts';
import { captureLogger } from './log-capture.ts';
import { createTestHostCheck } from './undici-http.ts';
import { allowAll } from './access.ts';

export function renderInfo(over: Partial<RenderInfo> = {}): RenderInfo & { missing: string[] } {
  const missing: string[] = [];
  return {
    idempotencyKey: 'idem-main-w1-a1-ep1-20250301T120000Z',
    episodeKey: 'ep-main-w1-a1-01',
    tenant: '_main',
    watchId: 'w1',
    actionName: 'a1',
    severityLevel: 'error',
    reportMissing: (p) => missing.push(...p),
    access: allowAll,
    missing,
    ...over,
  };
}

export function deliverDeps<A>(http: HttpClient, account: A | undefined, over: Partial<DeliverDeps<A>> = {}) {
  const log = captureLogger('trace');
  const deps: DeliverDeps<any> = {
    account,
    accountId: account ? 'acc1' : undefined,
    idempotencyKey: 'idem-main-w1-a1-ep1-20250301T120000Z',
    episodeKey: 'ep-main-w1-a1-01',
    http,
    searchClient() {
      throw new Error('no cluster in action tests');
    },
    clock: new FakeClock('2025-03-01T12:00:00Z'),
    logger: log.logger,
    signal: new AbortController().signal,
    attempt: 1,
    egress: createTestHostCheck(),
    ...over,
  };
  return { deps, logText: log.text };
}

/** A view like the runtime builds. */
export function view(data: Record<string, unknown> = {}): TemplateView {
  return {
    data,
    watch: { id: 'w1', tenant: '_main' },
    trigger: {
      scheduled_time: '2025-03-01T12:00:00Z',
      triggered_time: '2025-03-01T12:00:00.010Z',
      previous_scheduled_time: null,
      next_scheduled_time: null,
    },
    execution_time: '2025-03-01T12:00:00.020Z',
    severity: { level: { id: 'error', name: 'Error', level: 3 }, value: 12, threshold: 10 },
  };
}

/** The value every escaping test throws at templates. */
export const HOSTILE = '</p><script>alert(1)</script>"\n{\\`&<@U123>';
