/**
 * Daemons sharing one outbox on the test cluster, for the shared-outbox tests: each with its own state
 * store, shared outbox and deliverer, a fake clock (shared unless a test pauses one), and one receiver
 * they all send to.
 */
import { z } from 'zod';
import { FakeClock } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { createTestHostCheck } from '../kit/undici-http.ts';
import { freshPrefix, openStore } from '../state/cluster/kit.ts';
import { entry } from '../state/store-suite.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { SharedOutbox } from '../../src/delivery/shared-outbox.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { ActionType, DeliveryResult } from '../../src/actions/types.ts';
import { createRegistry } from '../../src/registry/registry.ts';
import { emptyWatchState } from '../../src/state/records.ts';
import type { ClusterStateStore } from '../../src/state/cluster/index.ts';

export const LEASE = 10_000;

/** A receiver shared by both daemons: who sent what, in order; a key (or `node:key`) in `failing` gets 503s. */
export function receiver() {
  const sent: Array<{ node: string; key: string }> = [];
  const failing = new Set<string>();
  const type = (node: string): ActionType => ({
    type: 'webhook',
    params: z.object({}).strict(),
    compile: () => ({ render: () => ({ kind: 'fire', request: {}, summary: 's' }) }),
    conformance: { params: () => ({}), overHttp: false },
    async deliver(_n, deps): Promise<DeliveryResult> {
      if (failing.has(deps.idempotencyKey) || failing.has(`${node}:${deps.idempotencyKey}`)) return { ok: false, retry: true, code: 'HTTP_5XX', message: 'HTTP 503' };
      sent.push({ node, key: deps.idempotencyKey });
      return { ok: true };
    },
  });
  return { sent, failing, type };
}

/** `make(node)` opens a daemon of that name on a fresh outbox; `closeAll` closes every store opened. */
export async function sharedDaemons(clusterUrl: string) {
  const prefix = freshPrefix();
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 12));
  const sharedClock = clock;
  const rx = receiver();
  const stores: ClusterStateStore[] = [];
  // A daemon of its own clock: time that passes for the others while it is paused.
  const make = async (node: string, clock: FakeClock = sharedClock) => {
    const store = await openStore(clusterUrl, { prefix, node, clock, claimLeaseMs: LEASE });
    stores.push(store);
    const logs = captureLogger();
    const shared = new SharedOutbox({ claims: store.outbox.claims!, node, leaseMs: LEASE, clock, logger: logs.logger });
    const deliverer = new Deliverer({
      store, registry: createRegistry({ actions: [rx.type(node)], checks: [] }), accounts: null, clock, logger: logs.logger, metrics: createMetrics(), rng: () => 0.5, egress: createTestHostCheck(),
      http: { request: async () => { throw new Error('unused'); }, close: async () => {} },
      searchClient: () => { throw new Error('unused'); }, shared,
    });
    return { store, shared, deliverer, logs };
  };
  const closeAll = async () => {
    for (const s of stores) await s.close();
  };
  return { clock, rx, make, closeAll };
}

/** A run's state write of `watchId` by `node` (the commit that hands entries to the outbox). */
export const ran = (node: string, watchId: string) => ({ tenant: '_main', watchId, value: emptyWatchState(node) });
/** A new entry of `watchId` decided at `at`; its retry window is an hour unless `windowMs` says otherwise. */
export const e = (key: string, watchId: string, at: number, windowMs = 3_600_000) => ({ ...entry(key, at, { watchId, deadline: at + windowMs }) });
/** The outbox entry a deliverer is handed: `e` as stored, pending and not yet attempted. */
export const pending = (key: string, watchId: string, at: number, windowMs?: number) => ({ ...e(key, watchId, at, windowMs), status: 'pending' as const, attempts: 0, lastError: null, finishedAt: null });
/** Half a second on the shared clock, then every daemon's shared outbox settled. */
export const stepper = (clock: { advance(ms: number): Promise<unknown> }, ...ds: Array<{ shared: { idle(): Promise<unknown> } }>) => async () => {
  await clock.advance(500);
  for (const d of ds) await d.shared.idle();
};
export const pendingOf = (s: ClusterStateStore) => s.outbox.claims!.pendingClaims(100);

type Kit = Awaited<ReturnType<typeof sharedDaemons>>;
type SharedDaemon = Awaited<ReturnType<Kit['make']>>;

/**
 * Both owners decide on watch `w` at once: b takes it over while a, not knowing yet, decides one more
 * entry (`w-a`, which the receiver refuses until the test clears it), then b decides `w-b`. Returns a's
 * delivery of w-a and b's of w-b, both under way.
 */
export async function decidedOnBothSides(kit: Kit, a: SharedDaemon, b: SharedDaemon, windowMs?: number) {
  const now = kit.clock.now();
  await a.store.commit({ state: ran('a', 'w'), enqueue: [] });
  await b.shared.adopt(new Set(['_main/w']));
  kit.rx.failing.add('w-a');
  await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-a', 'w', now, windowMs)] });
  a.deliverer.startShared();
  const first = a.deliverer.deliver(pending('w-a', 'w', now, windowMs));
  b.store.watchState.forget!('_main', 'w');
  await b.store.commit({ state: ran('b', 'w'), enqueue: [e('w-b', 'w', now, windowMs)] });
  b.deliverer.startShared();
  const second = b.deliverer.deliver(pending('w-b', 'w', now, windowMs));
  return { first, second };
}
