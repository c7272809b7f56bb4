/**
 * What distinguishes the four products the test cluster can pose as: the root info document, the
 * `x-elastic-product` header, and Elasticsearch's REST compatibility rules for
 * `application/vnd.elasticsearch+json; compatible-with=N` media types.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { estypes } from '@elastic/elasticsearch';
import { ClusterHttpError, errorBody } from './errors.ts';

export type Flavour = 'es8' | 'es9' | 'os2' | 'os3';
export const FLAVOURS: readonly Flavour[] = ['es8', 'es9', 'os2', 'os3'];

export interface FlavourInfo {
  flavour: Flavour;
  distribution: 'elasticsearch' | 'opensearch';
  version: string;
  major: number;
  lucene: string;
  /** `index.version.created` of indices this node creates. */
  indexVersion: string;
}

export const FLAVOUR_INFO: Record<Flavour, FlavourInfo> = {
  es8: { flavour: 'es8', distribution: 'elasticsearch', version: '8.18.2', major: 8, lucene: '9.12.1', indexVersion: '8525000' },
  es9: { flavour: 'es9', distribution: 'elasticsearch', version: '9.1.0', major: 9, lucene: '10.2.2', indexVersion: '9033000' },
  os2: { flavour: 'os2', distribution: 'opensearch', version: '2.19.1', major: 2, lucene: '9.12.1', indexVersion: '136408027' },
  os3: { flavour: 'os3', distribution: 'opensearch', version: '3.1.0', major: 3, lucene: '10.2.1', indexVersion: '137217827' },
};

/** The `GET /` document. OpenSearch adds `version.distribution`; Elasticsearch has `build_flavor`. */
export function rootInfo(info: FlavourInfo, clusterName: string): estypes.InfoResponse | Record<string, unknown> {
  if (info.distribution === 'opensearch') {
    return {
      name: 'vigil-test-node',
      cluster_name: clusterName,
      cluster_uuid: 'vigil-test-cluster-uuid',
      version: {
        distribution: 'opensearch',
        number: info.version,
        build_type: 'tar',
        build_hash: '0000000000000000000000000000000000000000',
        build_date: '2025-01-01T00:00:00.000000Z',
        build_snapshot: false,
        lucene_version: info.lucene,
        minimum_wire_compatibility_version: info.major >= 3 ? '2.19.0' : '7.10.0',
        minimum_index_compatibility_version: info.major >= 3 ? '2.0.0' : '7.0.0',
      },
      tagline: 'The OpenSearch Project: https://opensearch.org/',
    };
  }
  const response: estypes.InfoResponse = {
    name: 'vigil-test-node',
    cluster_name: clusterName,
    cluster_uuid: 'vigil-test-cluster-uuid',
    version: {
      number: info.version,
      build_flavor: 'default',
      build_type: 'docker',
      build_hash: '0000000000000000000000000000000000000000',
      build_date: '2025-01-01T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: info.lucene,
      minimum_wire_compatibility_version: info.major >= 9 ? '8.19.0' : '7.17.0',
      minimum_index_compatibility_version: info.major >= 9 ? '8.0.0' : '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
  return response;
}

function compatibleWith(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const m = /compatible-with\s*=\s*(\d+)/i.exec(header);
  return m ? Number(m[1]) : undefined;
}

/**
 * Elasticsearch's RestCompatibleVersionHelper, as far as clients meet it: a requested compatible version
 * must be the current major or the one before, and Accept and Content-Type (when a body is sent) must
 * agree. Returns the version to answer with, or throws the 400 a real node sends. OpenSearch ignores it.
 */
export function checkCompatibility(info: FlavourInfo, headers: IncomingHttpHeaders, hasBody: boolean): number | undefined {
  if (info.distribution !== 'elasticsearch') return undefined;
  const accept = headers.accept;
  const contentType = headers['content-type'];
  const acceptV = compatibleWith(accept);
  const contentV = hasBody ? compatibleWith(contentType) : undefined;
  const allowed = [info.major, info.major - 1];
  const fail = (detail: string): never => {
    const headerNames = hasBody ? '[Content-Type, Accept]' : '[Accept]';
    throw new ClusterHttpError(
      400,
      errorBody(
        400,
        { type: 'media_type_header_exception', reason: `Invalid media-type value on headers ${headerNames}`, caused_by: { type: 'status_exception', reason: detail } },
        { type: 'media_type_header_exception', reason: `Invalid media-type value on headers ${headerNames}` },
      ),
    );
  };
  if (acceptV !== undefined && !allowed.includes(acceptV)) {
    fail(`Accept version must be either version ${info.major} or ${info.major - 1}, but found ${acceptV}. Accept=${accept}`);
  }
  if (contentV !== undefined && !allowed.includes(contentV)) {
    fail(`Content-Type version must be either version ${info.major} or ${info.major - 1}, but found ${contentV}. Content-Type=${contentType}`);
  }
  if (hasBody && (acceptV !== undefined || contentV !== undefined) && acceptV !== contentV && accept !== undefined && contentType !== undefined) {
    fail(
      `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${accept}, Content-Type=${contentType}`,
    );
  }
  return acceptV ?? contentV;
}

/** Headers every response from this flavour carries. */
export function responseHeaders(info: FlavourInfo, compatVersion: number | undefined): Record<string, string> {
  if (info.distribution === 'opensearch') return { 'content-type': 'application/json; charset=UTF-8' };
  return {
    'x-elastic-product': 'Elasticsearch',
    'content-type': compatVersion !== undefined ? `application/vnd.elasticsearch+json;compatible-with=${compatVersion}` : 'application/json',
  };
}
