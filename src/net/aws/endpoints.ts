/**
 * Regional endpoints of the AWS services Vigil calls, for accounts that name a region and no endpoint.
 * The DNS suffix depends on the partition: China regions are under `amazonaws.com.cn`, the others
 * Vigil accepts under `amazonaws.com`.
 */

/** A region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
export const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** The DNS suffix of the partition a region belongs to. */
export function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** `https://<prefix>.<region>.<suffix>`: `sns`, `sts`, `email` (SES v2). */
export function regionalEndpoint(prefix: 'sns' | 'sts' | 'email', region: string): string {
  return `https://${prefix}.${region}.${dnsSuffix(region)}`;
}

/**
 * Whether `url` is AWS's own endpoint of the service in `region`: `https://<prefix>.<region>.<suffix>`
 * or its FIPS variant `<prefix>-fips`, on the default port, with no path. Not any `*.amazonaws.com`
 * host: many of those are other AWS customers' (API Gateway, S3 websites, load balancers, EC2 names),
 * and a request signed with the daemon's own credentials must reach AWS itself.
 */
export function isAwsEndpoint(url: string, prefix: 'sns' | 'sts' | 'email', region: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.port !== '' || u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '' || u.pathname !== '/') return false;
  const host = u.hostname.toLowerCase();
  const suffix = `.${region}.${dnsSuffix(region)}`;
  return host === `${prefix}${suffix}` || host === `${prefix}-fips${suffix}`;
}
