/** The run the crash tests commit: a state that opens an episode and the two notifications it decided. */
import type { RunCommit } from '../../../src/state/types.ts';
import { emptyWatchState } from '../../../src/state/records.ts';
import { entry } from '../store-suite.ts';

export function crashCommit(): RunCommit {
  const state = emptyWatchState('child');
  state.actions.page = { ...emptyStateAction(), episode: { id: 'ep-1', started: '2026-01-05T12:00:00.000Z', fired: 1 } };
  return { state: { tenant: '_main', watchId: 'w', value: state }, enqueue: [entry('key-1', 1), entry('key-2', 2)] };
}

function emptyStateAction() {
  return { last_triggered: null, last_check: null, last_check_result: null, last_execution: null, last_error: null, last_status: null, acked: null, execution_count: 1, episode: null, last_severity: null };
}
