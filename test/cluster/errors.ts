/**
 * Error bodies in the shape Elasticsearch and OpenSearch return them (`error.root_cause`, `error.type`,
 * `error.reason`, `status`), so the official clients build their ResponseError from them as they would
 * against a real node.
 */
import type { estypes } from '@elastic/elasticsearch';

/** Thrown anywhere inside request handling; the server turns it into an error response. */
export class ClusterHttpError extends Error {
  readonly status: number;
  readonly body: estypes.ErrorResponseBase;
  constructor(status: number, body: estypes.ErrorResponseBase) {
    super(typeof body.error === 'object' ? body.error.reason ?? body.error.type : String(body.error));
    this.status = status;
    this.body = body;
  }
}

export function errorBody(status: number, cause: estypes.ErrorCause, rootCause?: estypes.ErrorCause): estypes.ErrorResponseBase {
  const root = rootCause ?? stripCausedBy(cause);
  return { error: { root_cause: [root], ...cause }, status };
}

function stripCausedBy(cause: estypes.ErrorCause): estypes.ErrorCause {
  const { caused_by: _ignored, root_cause: _r, ...rest } = cause;
  return rest;
}

export function httpError(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): ClusterHttpError {
  return new ClusterHttpError(status, errorBody(status, { type, reason, ...extra }));
}

export function indexNotFound(index: string): ClusterHttpError {
  return httpError(404, 'index_not_found_exception', `no such index [${index}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': index,
    index_uuid: '_na_',
    index,
  });
}

export function parsingError(reason: string): ClusterHttpError {
  return httpError(400, 'parsing_exception', reason, { line: 1, col: 1 });
}

export function illegalArgument(reason: string): ClusterHttpError {
  return httpError(400, 'illegal_argument_exception', reason);
}

/** A failure while executing a search is wrapped the way the search phase wraps it. */
export function searchPhaseError(cause: estypes.ErrorCause): ClusterHttpError {
  return new ClusterHttpError(
    400,
    errorBody(
      400,
      { type: 'search_phase_execution_exception', reason: 'all shards failed', phase: 'query', grouped: true, caused_by: cause },
      cause,
    ),
  );
}

/** The fields Elasticsearch adds to an error raised on a shard of an index. */
export interface ShardRef {
  name: string;
  uuid: string;
}

/** An error raised by the engine of an index's shard (`index_uuid`, `shard`, `index`, as the real body has them). */
export function shardError(status: number, type: string, reason: string, on: ShardRef): ClusterHttpError {
  return httpError(status, type, reason, { index_uuid: on.uuid, shard: '0', index: on.name });
}

/**
 * `version_conflict_engine_exception` (409). `explanation` is what follows "version conflict, ", e.g.
 * "required seqNo [1], primary term [1]. current document has seqNo [2] and primary term [1]".
 */
export function versionConflict(on: ShardRef, id: string, explanation: string): ClusterHttpError {
  return shardError(409, 'version_conflict_engine_exception', `[${id}]: version conflict, ${explanation}`, on);
}

/** `document_missing_exception` (404) of the update API. */
export function documentMissing(on: ShardRef, id: string): ClusterHttpError {
  return shardError(404, 'document_missing_exception', `[${id}]: document missing`, on);
}

/** Request validation, numbered as Elasticsearch's ActionRequestValidationException numbers them. */
export function validationError(...problems: string[]): ClusterHttpError {
  return httpError(400, 'action_request_validation_exception', `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join('')}`);
}

/** A search-context failure on every shard (an expired scroll or point in time): 404 under search_phase_execution_exception. */
export function searchContextMissing(id: string): ClusterHttpError {
  const cause = { type: 'search_context_missing_exception', reason: `No search context found for id [${id}]` };
  return new ClusterHttpError(
    404,
    errorBody(404, { type: 'search_phase_execution_exception', reason: 'all shards failed', phase: 'query', grouped: true, failed_shards: [{ shard: -1, index: null, reason: cause }], caused_by: cause }, cause),
  );
}
