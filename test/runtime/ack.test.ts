import { describe, expect, it } from 'vitest';
import { ackActions, unackActions } from '../../src/runtime/ack.ts';
import { emptyActionState, type WatchState } from '../../src/state/records.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { compileEnv } from '../kit/runtime.ts';

const compiled = (() => {
  const res = compileWatch(
    {
      trigger: { schedule: { interval: '1m' } },
      actions: [
        { type: 'log', name: 'page', text: 'p' },
        { type: 'log', name: 'mail', text: 'm' },
        { type: 'log', name: 'audit', text: 'a', ack_enabled: false },
      ],
    },
    { tenant: 't1', id: 'w' },
    compileEnv(),
  );
  if (!res.ok) throw new Error(JSON.stringify(res.detail));
  return res.watch;
})();

const AT = Date.parse('2026-03-01T10:00:00Z');

/** A state where `positive` actions had a positive last check and the others a negative one. */
function state(positive: string[], acked: string[] = []): WatchState {
  const actions: WatchState['actions'] = {};
  for (const name of ['page', 'mail', 'audit']) {
    actions[name] = { ...emptyActionState(), last_check_result: positive.includes(name), acked: acked.includes(name) ? { on: '2026-02-01T00:00:00.000Z', by: 'earlier' } : null };
  }
  return { actions, last_execution: null, last_status: null, node: 'n1' };
}

describe('ackActions', () => {
  it('acks every ack-enabled action whose last check was positive, with who and when, leaving the input as it was', () => {
    const before = state(['page', 'audit']);
    const copy = structuredClone(before);
    const { state: after, acked } = ackActions(compiled, before, { by: 'kirk', at: AT });
    expect(acked).toEqual(['page']);
    expect(after.actions.page!.acked).toEqual({ on: '2026-03-01T10:00:00.000Z', by: 'kirk' });
    expect(after.actions.mail!.acked).toBeNull();
    expect(after.actions.audit!.acked).toBeNull();
    expect(after.node).toBe('n1');
    expect(before).toEqual(copy);
  });

  it('acks one named action', () => {
    const { state: after, acked } = ackActions(compiled, state(['page', 'mail']), { action: 'mail', by: 'spock', at: AT });
    expect(acked).toEqual(['mail']);
    expect(after.actions.page!.acked).toBeNull();
    expect(after.actions.mail!.acked).toEqual({ on: '2026-03-01T10:00:00.000Z', by: 'spock' });
  });

  it('refuses: an unknown action (NOT_FOUND), one with ack_enabled false (INVALID_REQUEST), nothing positive (PRECONDITION_FAILED)', () => {
    expect(() => ackActions(compiled, state(['page']), { action: 'nope', by: 'k', at: AT })).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: "watch t1/w has no action 'nope'" }));
    expect(() => ackActions(compiled, state(['audit']), { action: 'audit', by: 'k', at: AT })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => ackActions(compiled, state([]), { action: 'page', by: 'k', at: AT })).toThrow(
      expect.objectContaining({ code: 'PRECONDITION_FAILED', message: "action 'page' cannot be acknowledged: its last check was not positive" }),
    );
    expect(() => ackActions(compiled, undefined, { by: 'k', at: AT })).toThrow(expect.objectContaining({ code: 'PRECONDITION_FAILED', message: 'no action can be acknowledged: no positive check' }));
  });
});

describe('unackActions', () => {
  it('clears the acks of every action, or of the named one, and says which were cleared', () => {
    const before = state(['page', 'mail'], ['page', 'mail']);
    const copy = structuredClone(before);
    const all = unackActions(compiled, before);
    expect(all.unacked).toEqual(['page', 'mail']);
    expect(Object.values(all.state.actions).map((a) => a.acked)).toEqual([null, null, null]);
    const one = unackActions(compiled, before, 'mail');
    expect(one.unacked).toEqual(['mail']);
    expect(one.state.actions.page!.acked).not.toBeNull();
    expect(one.state.actions.mail!.acked).toBeNull();
    expect(before).toEqual(copy);
  });

  it('clears nothing where nothing is acked (no state, an unknown name)', () => {
    expect(unackActions(compiled, undefined).unacked).toEqual([]);
    expect(unackActions(compiled, state(['page'], ['page']), 'nope').unacked).toEqual([]);
  });
});
