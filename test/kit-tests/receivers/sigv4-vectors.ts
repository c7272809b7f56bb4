/**
 * Cases of AWS's published Signature Version 4 test suite ("aws-sig-v4-test-suite"), with the
 * signatures AWS published for them: service `service`, region `us-east-1`, key `AKIDEXAMPLE`, secret
 * `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, signed at 2015-08-30T12:36:00Z. The last case is the IAM
 * `ListUsers` example of the SigV4 documentation (service `iam`).
 */
export const SUITE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  amzDate: '20150830T123600Z',
  now: Date.UTC(2015, 7, 30, 12, 36, 0),
  sessionToken:
    'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==',
};

export interface SuiteCase {
  name: string;
  method: string;
  /** Request target (path and query) as on the request line. */
  target: string;
  /** Headers besides Host, X-Amz-Date and Authorization, in order. */
  headers?: Array<[string, string]>;
  body?: string;
  service?: string;
  host?: string;
  signedHeaders?: string;
  signature: string;
}

const VANILLA = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
const UNRESERVED = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const CASES: SuiteCase[] = [
  { name: 'get-vanilla', method: 'GET', target: '/', signature: VANILLA },
  { name: 'get-vanilla-query-order-key-case', method: 'GET', target: '/?Param2=value2&Param1=value1', signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
  { name: 'get-vanilla-query-order-key', method: 'GET', target: '/?Param1=value2&Param1=value1', signature: '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694' },
  { name: 'get-vanilla-query-order-value', method: 'GET', target: '/?Param1=value2&Param1=Value1', signature: 'eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1' },
  { name: 'get-vanilla-query-unreserved', method: 'GET', target: `/?${UNRESERVED}=${UNRESERVED}`, signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197' },
  { name: 'get-vanilla-utf8-query', method: 'GET', target: '/?%E1%88%B4=bar', signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04' },
  { name: 'get-unreserved', method: 'GET', target: `/${UNRESERVED}`, signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f' },
  { name: 'get-relative', method: 'GET', target: '/example/..', signature: VANILLA },
  { name: 'get-relative-relative', method: 'GET', target: '/example1/example2/../..', signature: VANILLA },
  { name: 'get-slash-dot-slash', method: 'GET', target: '/./', signature: VANILLA },
  { name: 'get-slash-pointless-dot', method: 'GET', target: '/./example', signature: 'ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5' },
  { name: 'get-slashes', method: 'GET', target: '//example//', signature: '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84' },
  {
    name: 'get-header-value-trim',
    method: 'GET',
    target: '/',
    headers: [['My-Header1', ' value1'], ['My-Header2', ' "a   b   c"']],
    signedHeaders: 'host;my-header1;my-header2;x-amz-date',
    signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'get-header-key-duplicate',
    method: 'GET',
    target: '/',
    headers: [['My-Header1', 'value2'], ['My-Header1', 'value2'], ['My-Header1', 'value1']],
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  },
  {
    name: 'get-header-value-order',
    method: 'GET',
    target: '/',
    headers: [['My-Header1', 'value4'], ['My-Header1', 'value1'], ['My-Header1', 'value3'], ['My-Header1', 'value2']],
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01',
  },
  { name: 'post-vanilla', method: 'POST', target: '/', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'post-vanilla-query', method: 'POST', target: '/?Param1=value1', signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11' },
  { name: 'post-header-key-sort', method: 'POST', target: '/', headers: [['My-Header1', 'value1']], signedHeaders: 'host;my-header1;x-amz-date', signature: 'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c' },
  { name: 'post-header-value-case', method: 'POST', target: '/', headers: [['My-Header1', 'VALUE1']], signedHeaders: 'host;my-header1;x-amz-date', signature: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d' },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    target: '/',
    headers: [['Content-Type', 'application/x-www-form-urlencoded']],
    body: 'Param1=value1',
    signedHeaders: 'content-type;host;x-amz-date',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'post-x-www-form-urlencoded-parameters',
    method: 'POST',
    target: '/',
    headers: [['Content-Type', 'application/x-www-form-urlencoded; charset=utf8']],
    body: 'Param1=value1',
    signedHeaders: 'content-type;host;x-amz-date',
    signature: '1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe',
  },
  {
    name: 'post-sts-header-before',
    method: 'POST',
    target: '/',
    headers: [['X-Amz-Security-Token', SUITE.sessionToken]],
    signedHeaders: 'host;x-amz-date;x-amz-security-token',
    signature: '85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
  },
  {
    name: 'iam-list-users (SigV4 documentation example)',
    method: 'GET',
    target: '/?Action=ListUsers&Version=2010-05-08',
    host: 'iam.amazonaws.com',
    service: 'iam',
    headers: [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']],
    signedHeaders: 'content-type;host;x-amz-date',
    signature: '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
  },
];

/** The documented canonical request of the IAM example and its SHA-256. */
export const IAM_CANONICAL = [
  'GET',
  '/',
  'Action=ListUsers&Version=2010-05-08',
  'content-type:application/x-www-form-urlencoded; charset=utf-8',
  'host:iam.amazonaws.com',
  'x-amz-date:20150830T123600Z',
  '',
  'content-type;host;x-amz-date',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
].join('\n');
export const IAM_CANONICAL_SHA256 = 'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59';
