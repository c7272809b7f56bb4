/**
 * Acknowledging actions (as in Signals): what an ack or an unack does to a watch's state, as pure
 * functions. The caller reads the state, applies one of these and stores the result; the input state
 * is never changed.
 */
import { VigilError } from '../errors.ts';
import type { CompiledWatch } from '../watches/compile.ts';
import { emptyWatchState, type WatchState } from '../state/records.ts';

export interface AckRequest {
  /** One action by name; all actions that allow acknowledgement when absent. */
  action?: string | undefined;
  /** Who acknowledges (the API's user name). */
  by: string;
  /** When (epoch ms). */
  at: number;
}

/**
 * Acks one action or all. An action is acked only after a positive check (its last check result is
 * true). Throws NOT_FOUND for an action the watch does not have, INVALID_REQUEST for a named action with
 * `ack_enabled: false`, and PRECONDITION_FAILED when nothing could be acked. Returns the new state and
 * the acked action names.
 */
export function ackActions(w: CompiledWatch, state: WatchState | undefined, req: AckRequest): { state: WatchState; acked: string[] } {
  const { action } = req;
  const targets = action ? w.actions.filter((a) => a.def.name === action) : w.actions.filter((a) => a.def.ack_enabled);
  if (action && !targets.length) throw new VigilError('NOT_FOUND', `watch ${w.tenant}/${w.id} has no action '${action}'`);
  if (action && !targets[0]!.def.ack_enabled) throw new VigilError('INVALID_REQUEST', `action '${action}' does not allow acknowledgement (ack_enabled: false)`);
  const next = copy(state);
  const acked: string[] = [];
  const on = new Date(req.at).toISOString();
  for (const a of targets) {
    const st = next.actions[a.def.name];
    if (st?.last_check_result !== true) continue;
    next.actions[a.def.name] = { ...st, acked: { on, by: req.by } };
    acked.push(a.def.name);
  }
  if (!acked.length) {
    throw new VigilError('PRECONDITION_FAILED', action ? `action '${action}' cannot be acknowledged: its last check was not positive` : 'no action can be acknowledged: no positive check');
  }
  return { state: next, acked };
}

/** Clears the ack of one action (by name) or of every action; returns the new state and the names whose ack was cleared. */
export function unackActions(w: CompiledWatch, state: WatchState | undefined, action?: string): { state: WatchState; unacked: string[] } {
  const names = action ? [action] : w.actions.map((a) => a.def.name);
  const next = copy(state);
  const unacked: string[] = [];
  for (const n of names) {
    const st = next.actions[n];
    if (!st?.acked) continue;
    next.actions[n] = { ...st, acked: null };
    unacked.push(n);
  }
  return { state: next, unacked };
}

/** A copy whose `actions` map can be changed without touching the caller's state. */
function copy(state: WatchState | undefined): WatchState {
  const s = state ?? emptyWatchState('');
  return { ...s, actions: { ...s.actions } };
}
