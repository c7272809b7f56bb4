import { hash as digest } from 'node:crypto';

function hash(parts: string[]): string {
  // NUL never appears in ids, so joined parts cannot collide by shifting a boundary. The one-shot
  // digest: half the cost of a Hash object, and every notification takes one or two.
  return digest('sha256', parts.join('\u0000'), 'base64url').slice(0, 32);
}

/**
 * Stable per (tenant, watch, action, episode): PagerDuty's dedup_key and the Jira label, so every firing
 * and the resolve of one situation land on the same incident or issue, across retries and restarts.
 */
export function episodeKey(tenant: string, watchId: string, action: string, episodeId: string): string {
  return `vigil-${hash(['episode', tenant, watchId, action, episodeId])}`;
}

/** What one notification is: the parts its idempotency key is made of. */
export interface NotificationId {
  tenant: string;
  watchId: string;
  action: string;
  episodeId: string;
  /** The run's scheduled time (ISO); the same across retries and re-runs of that time. */
  scheduledTime: string;
  /** The `foreach` item's index (0 without `foreach`). */
  item: number;
  /** `fire`, `resolve` or `ack`. */
  kind: string;
}

/**
 * Stable per notification. It is the outbox primary key and the webhook Idempotency-Key: a retry or a
 * post-crash resume sends the same key, and a second run for the same scheduled time (clock jumped
 * back) finds the key taken and sends nothing. Keys outlive the process in the outbox, so the parts and
 * their order never change.
 */
export function idempotencyKey(n: NotificationId): string {
  return hash(['notify', n.tenant, n.watchId, n.action, n.episodeId, n.scheduledTime, String(n.item), n.kind]);
}
