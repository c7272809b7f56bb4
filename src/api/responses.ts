/**
 * The shapes of the API's answers, declared on the routes (`schema.response`) for the OpenAPI
 * document. The OpenAPI test checks the answers to every example request against them.
 */
import { z } from 'zod';
import { ErrorCodes } from '../errors.ts';
import { component } from './route-schema.ts';

const ERROR_CODES = Object.keys(ErrorCodes) as [keyof typeof ErrorCodes, ...Array<keyof typeof ErrorCodes>];

/** `detail`: problems by the JSON path of their field. */
export const errorDetail = component(
  'ErrorDetail',
  z.record(z.string(), z.array(z.looseObject({ error: z.string(), value: z.unknown().optional() }))).describe('Problems by the JSON path of their field, e.g. `checks[1].source`.'),
);

/** Every error answer of Vigil's own routes, and every 401/403 of any route. */
export const errorResponse = component(
  'Error',
  z.object({
    status: z.number().int(),
    error: z.string().describe('What went wrong, for people; never a secret.'),
    code: z.enum(ERROR_CODES).describe('Stable error code (docs/troubleshooting.md).'),
    detail: errorDetail.optional(),
  }),
);

/** Errors of the security routes, shaped as the OpenSearch Security REST API answers them. */
export const securityErrorResponse = component(
  'SecurityError',
  z.looseObject({
    status: z.string().describe('BAD_REQUEST, NOT_FOUND, FORBIDDEN, CONFLICT, NOT_IMPLEMENTED…'),
    message: z.string(),
    reason: z.string().optional(),
    code: z.string().optional(),
    detail: errorDetail.optional(),
  }),
);

/** `{"status": "OK", "message": "'x' updated."}` and the like (security routes). */
export const securityStatus = component('SecurityStatus', z.looseObject({ status: z.string(), message: z.string() }));

const time = z.string().describe('ISO-8601 time');
const status = z.looseObject({ code: z.string(), detail: z.string().optional() });

/** A run's execution-log record (the answer of `_execute`). */
export const watchLogRecord = component(
  'WatchLogRecord',
  z.looseObject({
    id: z.string(),
    tenant: z.string(),
    watch_id: z.string(),
    watch_version: z.string(),
    status,
    error: z.looseObject({ check: z.string().nullable().optional(), message: z.string() }).nullable().optional(),
    execution_start: time,
    execution_end: time,
    trigger: z.looseObject({ scheduled_time: time.nullable(), triggered_time: time.nullable() }).optional(),
    data: z.unknown().optional(),
    actions: z.array(z.looseObject({ name: z.string(), status })),
    resolve_actions: z.array(z.looseObject({ name: z.string(), status })),
    node: z.string(),
    runtime_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
);

/** A watch's state (`_state`): per action, its last runs, acknowledgement and episode. */
export const watchState = component(
  'WatchState',
  z.looseObject({
    actions: z.record(z.string(), z.looseObject({ last_status: status.nullable(), acked: z.looseObject({ on: time, by: z.string() }).nullable() })),
    last_execution: z.looseObject({}).nullable(),
    last_status: status.nullable(),
  }),
);

/** A search answer: `hits.total` and `hits.hits`. */
export function searchHits<T extends z.ZodType>(hit: T) {
  return z.looseObject({ hits: z.object({ total: z.object({ value: z.number().int(), relation: z.literal('eq') }), hits: z.array(hit) }) });
}
