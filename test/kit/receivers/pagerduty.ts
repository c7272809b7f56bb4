/**
 * A PagerDuty Events API v2 receiver (POST /v2/enqueue) that validates events like the real service
 * and keeps alerts by dedup_key: trigger opens (or adds to) an alert, acknowledge/resolve apply to the
 * open one and are dropped otherwise; a trigger after resolve opens a new alert. Answers 202
 * `{"status":"success","message":"Event processed","dedup_key":…}` or 400
 * `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`.
 */
import { randomUUID } from 'node:crypto';
import { startReceiver, type Receiver, type RecordedRequest, type Reply } from './base.ts';

export interface PdAlert {
  dedup_key: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  triggers: number;
  summary: string;
  severity: string;
  events: Array<Record<string, unknown>>;
}

export interface PdReceiver extends Receiver {
  readonly enqueueUrl: string;
  /** Every alert ever opened, in order (one per dedup_key episode). */
  incidents(): PdAlert[];
  /** Events accepted with 202. */
  accepted(): Array<Record<string, unknown>>;
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const MAX_BYTES = 512 * 1024;

function invalid(...errors: string[]): Reply {
  return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
}

export async function startPagerdutyReceiver(routingKeys: string[] = ['R0VIGILpdTestKey00000000000000ab']): Promise<PdReceiver> {
  const keys = new Set(routingKeys);
  const alerts: PdAlert[] = [];
  const open = new Map<string, PdAlert>();
  const ok: Array<Record<string, unknown>> = [];

  const handle = (r: RecordedRequest): Reply => {
    if (r.method !== 'POST' || r.url !== '/v2/enqueue') return { status: 404, body: { status: 'not found' } };
    if (Buffer.byteLength(r.body) > MAX_BYTES) return invalid('Event exceeds the 512 KB size limit');
    if (r.json === undefined || typeof r.json !== 'object' || r.json === null || Array.isArray(r.json)) return invalid('Event is not a valid JSON object');
    const ev = r.json as Record<string, any>;
    const errs: string[] = [];
    if (typeof ev.routing_key !== 'string') errs.push("'routing_key' is missing or blank");
    else if (ev.routing_key.length !== 32) errs.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    else if (!keys.has(ev.routing_key)) errs.push('Invalid routing key');
    if (!ACTIONS.has(ev.event_action)) errs.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
    if (ev.dedup_key !== undefined && (typeof ev.dedup_key !== 'string' || ev.dedup_key.length > 255)) errs.push("'dedup_key' must be a string of at most 255 characters");
    if (ev.event_action !== 'trigger' && typeof ev.dedup_key !== 'string') errs.push("'dedup_key' is required for acknowledge and resolve events");
    if (ev.event_action === 'trigger') {
      const p = ev.payload;
      if (!p || typeof p !== 'object') errs.push("'payload' is missing or not an object");
      else {
        if (typeof p.summary !== 'string' || p.summary === '') errs.push("'payload.summary' is missing or blank");
        else if (Array.from(p.summary as string).length > 1024) errs.push("'payload.summary' must be at most 1024 characters");
        if (typeof p.source !== 'string' || p.source === '') errs.push("'payload.source' is missing or blank");
        if (!SEVERITIES.has(p.severity)) errs.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
        if (p.custom_details !== undefined && (typeof p.custom_details !== 'object' || p.custom_details === null)) errs.push("'payload.custom_details' must be an object");
        for (const k of ['timestamp', 'component', 'group', 'class']) if (p[k] !== undefined && typeof p[k] !== 'string') errs.push(`'payload.${k}' must be a string`);
      }
      for (const l of ev.links ?? []) if (typeof l?.href !== 'string') errs.push("'links[].href' is required");
      for (const i of ev.images ?? []) if (typeof i?.src !== 'string') errs.push("'images[].src' is required");
    }
    if (errs.length) return invalid(...errs);

    const dedup: string = ev.dedup_key ?? randomUUID().replace(/-/g, '');
    ok.push(ev);
    const current = open.get(dedup);
    if (ev.event_action === 'trigger') {
      if (current) {
        current.triggers++;
        current.events.push(ev);
      } else {
        const a: PdAlert = { dedup_key: dedup, status: 'triggered', triggers: 1, summary: ev.payload.summary, severity: ev.payload.severity, events: [ev] };
        alerts.push(a);
        open.set(dedup, a);
      }
    } else if (current) {
      current.events.push(ev);
      current.status = ev.event_action === 'resolve' ? 'resolved' : 'acknowledged';
      if (ev.event_action === 'resolve') open.delete(dedup);
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedup } };
  };

  const base = await startReceiver(handle);
  return { ...base, enqueueUrl: `${base.url}/v2/enqueue`, incidents: () => alerts, accepted: () => ok };
}
