/**
 * What the state store keeps of a watch: its state (per action: last runs, ack, episode) and its
 * execution log records, in the Search Guard Signals form so existing tooling can read them. They live
 * with the store that persists them; the runtime fills them in.
 */
import type { SeverityView } from '../script/types.ts';

export type ActionStatusCode =
  | 'ACTION_EXECUTED'
  | 'SIMULATED_ACTION_EXECUTED'
  | 'ACTION_FAILED'
  | 'ACTION_THROTTLED'
  | 'ACKED'
  | 'NO_ACTION'
  /** Vigil: a notification is not delivered yet (interrupted by a shutdown, or still being retried when an execution answered). */
  | 'DELIVERY_PENDING';

/** A run's status: its actions' statuses, or a failure before them. */
export type WatchStatusCode = ActionStatusCode | 'EXECUTION_FAILED';

export interface Status<C extends string> {
  code: C;
  detail?: string;
  severity?: string;
}

export interface ActionLogEntry {
  name: string;
  status: Status<ActionStatusCode>;
  ack?: { on: string; by: string } | null;
  error?: { message: string; detail?: unknown } | null;
  execution_start?: string;
  execution_end?: string;
  /** Under `--simulate`/`skip_actions`: what would have been sent (no secrets). */
  request?: unknown;
  /** Delivery bookkeeping (Vigil): outbox key and attempts. */
  delivery?: { key: string; attempts: number; status: string } | undefined;
  /** Template variables that rendered empty. */
  missing_variables?: string[];
}

export interface WatchLogRecord {
  /** Unique per run. */
  id: string;
  tenant: string;
  watch_id: string;
  watch_version: string;
  status: Status<WatchStatusCode>;
  error?: { check?: string | null; message: string; detail?: unknown } | null;
  execution_start: string;
  execution_end: string;
  trigger?: { scheduled_time: string | null; triggered_time: string | null };
  data?: unknown;
  severity?: SeverityView | null;
  actions: ActionLogEntry[];
  resolve_actions: ActionLogEntry[];
  missing_variables?: string[];
  node: string;
  /**
   * The run's runtime data after its checks (`data`, `severity`, `trigger`, `execution_time`, `watch`):
   * only in an `_execute` answer that asked for it (`show_all_runtime_attributes`), never stored.
   */
  runtime_attributes?: Record<string, unknown>;
}

export interface ActionState {
  last_triggered: string | null;
  last_check: string | null;
  last_check_result: boolean | null;
  last_execution: string | null;
  last_error: string | null;
  last_status: Status<ActionStatusCode> | null;
  acked: { on: string; by: string } | null;
  execution_count: number;
  /**
   * Vigil: the current alert episode (set at the first positive check of a situation, cleared when it
   * ends), and how many times the action fired within it (the exponential throttle index).
   */
  episode: { id: string; started: string; fired: number } | null;
  /** Severity level id active at the last check (for resolve and break-through). */
  last_severity: string | null;
}

export interface WatchState {
  actions: Record<string, ActionState>;
  last_execution: {
    severity: SeverityView | null;
    trigger: { scheduled_time: string | null; triggered_time: string | null };
    execution_time: string;
    data?: unknown;
  } | null;
  last_status: Status<WatchStatusCode> | null;
  /** Set through the `_active` API; overrides the file's `active`. */
  active_override?: boolean | null;
  node: string;
}

export function emptyActionState(): ActionState {
  return {
    last_triggered: null,
    last_check: null,
    last_check_result: null,
    last_execution: null,
    last_error: null,
    last_status: null,
    acked: null,
    execution_count: 0,
    episode: null,
    last_severity: null,
  };
}

export function emptyWatchState(node: string): WatchState {
  return { actions: {}, last_execution: null, last_status: null, node };
}
