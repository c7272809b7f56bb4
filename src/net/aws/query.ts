/**
 * The request side of the AWS Query protocol (SNS, STS): a form-encoded POST body of `Action`,
 * `Version` and the operation's parameters, each name and value percent-encoded as RFC 3986 says (as
 * the AWS SDKs do), so that `&`, `=`, `+`, `%` and non-ASCII text in a message survive as they are.
 */

const encode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The form body for `params`, in their order. */
export function queryBody(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

export const QUERY_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
