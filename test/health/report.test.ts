/** The health assessment from its inputs: which reason makes which colour, and reports stay small. */
import { describe, expect, it } from 'vitest';
import { assess, MAX_REASONS_PER_KIND, type HealthInputs } from '../../src/health/report.ts';

const NOW = Date.UTC(2026, 2, 1, 10);
const base = (o: Partial<HealthInputs> = {}): HealthInputs => ({
  now: NOW,
  started: true,
  probes: { clusters: new Map(), store: { ok: true, checkedAt: NOW }, outbox: { pending: 0, oldestPendingAt: null, checkedAt: NOW } },
  failingWatches: [],
  clusterNeeds: [],
  invalidWatches: 0,
  overloaded: false,
  outboxMaxAgeMs: 600_000,
  failingDeliveries: [],
  deadman: null,
  ...o,
});

describe('assess', () => {
  it('green with no reason; red for a store that cannot be used', () => {
    expect(assess(base())).toEqual({ status: 'green', reasons: [] });
    const r = assess(base({ probes: { clusters: new Map(), store: { ok: false, error: 'disk I/O error', checkedAt: NOW }, outbox: null } }));
    expect(r.status).toBe('red');
    expect(r.reasons[0]).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('disk I/O error') });
  });

  it('red while the state store\'s write queue is full, with how many writes it holds; a queue with room is no reason', () => {
    const full = assess(base({ probes: { clusters: new Map(), store: { ok: true, checkedAt: NOW, writes: { queued: 10_000, full: true } }, outbox: null } }));
    expect(full.status).toBe('red');
    expect(full.reasons).toEqual([expect.objectContaining({ status: 'red', code: 'STORE_QUEUE_FULL', queued_writes: 10_000, message: expect.stringContaining('10000 writes held') })]);
    expect(assess(base({ probes: { clusters: new Map(), store: { ok: true, checkedAt: NOW, writes: { queued: 9_999, full: false } }, outbox: null } }))).toEqual({ status: 'green', reasons: [] });
  });

  it('yellow for overload, an old pending notification, a failing dead-man switch and invalid watch files', () => {
    const r = assess(
      base({
        overloaded: true,
        invalidWatches: 2,
        probes: { clusters: new Map(), store: { ok: true, checkedAt: NOW }, outbox: { pending: 7, oldestPendingAt: NOW - 900_000, checkedAt: NOW } },
        deadman: { failures: 2, lastError: 'HTTP_5XX: 503', lastSuccessAt: null },
      }),
    );
    expect(r.status).toBe('yellow');
    expect(r.reasons.map((x) => x.code)).toEqual(['WATCHES_INVALID', 'OVERLOADED', 'OUTBOX_BACKLOG', 'DEADMAN_FAILING']);
    expect(r.reasons.find((x) => x.code === 'OUTBOX_BACKLOG')).toMatchObject({ pending: 7, message: expect.stringContaining('900 s') });
    // Pending, but not for long: no reason.
    const young = base({ probes: { clusters: new Map(), store: { ok: true, checkedAt: NOW }, outbox: { pending: 7, oldestPendingAt: NOW - 1000, checkedAt: NOW } } });
    expect(assess(young).status).toBe('green');
  });

  it('lists at most MAX_REASONS_PER_KIND of one kind and counts the rest', () => {
    const failingWatches = Array.from({ length: 50 }, (_, i) => ({ tenant: '_main', watch: `w${i}`, consecutive: 3, code: 'EXECUTION_FAILED', error: 'x', since: NOW }));
    const r = assess(base({ failingWatches }));
    expect(r.reasons).toHaveLength(MAX_REASONS_PER_KIND);
    expect(r.reasons.at(-1)).toMatchObject({ more: 50 - MAX_REASONS_PER_KIND });
  });

  it('red while this daemon counted itself out of the daemons sharing the watches (its heartbeat not acknowledged within the lease)', () => {
    const out = assess(base({ membership: { countedOut: true, leaseMs: 10_000, lastHeartbeatAt: NOW - 12_000, lastError: 'connect ECONNREFUSED' } }));
    expect(out.status).toBe('red');
    expect(out.reasons).toEqual([
      expect.objectContaining({ status: 'red', code: 'NODE_COUNTED_OUT', last_heartbeat: new Date(NOW - 12_000).toISOString(), message: expect.stringContaining('connect ECONNREFUSED') }),
    ]);
    expect(assess(base({ membership: { countedOut: false, leaseMs: 10_000, lastHeartbeatAt: NOW, lastError: null } }))).toEqual({ status: 'green', reasons: [] });
  });
});
