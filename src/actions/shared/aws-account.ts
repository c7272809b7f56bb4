/**
 * The AWS fields the SNS and SES accounts share: a region, long-term keys, and optionally a role to
 * assume with them through STS (with an external id, at a chosen STS endpoint). An account without keys
 * uses the daemon's own credentials (its environment's `AWS_ACCESS_KEY_ID`…), with or without a role,
 * as the Notifications plugin's configs do; those go only to AWS's own endpoints, so an account that
 * sets another `endpoint` or `sts_endpoint` must carry its own keys. No instance metadata service is
 * asked (the egress policy denies it anyway).
 */
import { z } from 'zod';
import { isAwsEndpoint, REGION_PATTERN, regionalEndpoint } from '../../net/aws/endpoints.ts';
import type { CredentialSource } from '../../net/aws/credentials.ts';
import type { AwsCredentials } from '../../net/aws/sigv4.ts';
import { originOf } from './account-destination.ts';

export const regionField = z.string().regex(REGION_PATTERN, 'must be an AWS region such as us-east-1');
export const endpointField = z.url({ protocol: /^https?$/ }).refine((u) => originOf(u) !== undefined && new URL(u).search === '' && new URL(u).username === '', 'must be an http(s) URL without query or credentials');

/** `arn:aws:iam::<account>:role/<path/name>` (any partition). */
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Non-secret AWS fields. */
export const awsConfigShape = {
  region: regionField,
  /** With `secret_access_key`; both absent: the daemon's own credentials. */
  access_key_id: z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id (AKIA…)').optional(),
  role_arn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)').optional(),
  external_id: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2 to 1224 characters of letters, digits and +=,.@:/-').optional(),
  endpoint: endpointField.optional(),
  sts_endpoint: endpointField.optional(),
};

/** Secret AWS fields. */
export const awsSecretsShape = {
  secret_access_key: z.string().min(1).optional(),
};

export interface AwsAccountFields {
  region: string;
  access_key_id?: string | undefined;
  secret_access_key?: string | undefined;
  role_arn?: string | undefined;
  external_id?: string | undefined;
  endpoint?: string | undefined;
  sts_endpoint?: string | undefined;
}

/** Cross-field rules of the AWS fields of an account of `service` (`sns`, or `email` for SES). */
export function awsRules(a: AwsAccountFields, service: 'sns' | 'email', issue: (path: string, message: string) => void): void {
  if (a.external_id !== undefined && a.role_arn === undefined) issue('external_id', 'external_id is sent when assuming role_arn; set role_arn');
  if (a.sts_endpoint !== undefined && a.role_arn === undefined) issue('sts_endpoint', 'sts_endpoint is used to assume role_arn; set role_arn');
  if (a.access_key_id !== undefined && a.secret_access_key === undefined) issue('secret_access_key', 'access_key_id needs its secret_access_key (or leave both out to use the daemon\'s own credentials)');
  if (a.secret_access_key !== undefined && a.access_key_id === undefined) issue('access_key_id', 'secret_access_key needs its access_key_id (or leave both out to use the daemon\'s own credentials)');
  if (a.access_key_id === undefined && a.secret_access_key === undefined) daemonCredentialRules(a, service, issue);
}

/**
 * An account without keys uses the daemon's own credentials, which may go only to AWS's own endpoints
 * of its region: whoever writes an account must not be able to point the daemon's signed requests at a
 * host of their choosing.
 */
function daemonCredentialRules(a: AwsAccountFields, service: 'sns' | 'email', issue: (path: string, message: string) => void): void {
  const why = "without access_key_id and secret_access_key the daemon's own AWS credentials sign the requests, and they go only to AWS's own endpoints";
  if (a.endpoint !== undefined && !isAwsEndpoint(a.endpoint, service, a.region)) issue('endpoint', `${why} (${regionalEndpoint(service, a.region)}); set the account's keys to use this endpoint`);
  if (a.sts_endpoint !== undefined && !isAwsEndpoint(a.sts_endpoint, 'sts', a.region)) issue('sts_endpoint', `${why} (${regionalEndpoint('sts', a.region)}); set the account's keys to use this endpoint`);
}

/** Where requests with these credentials go: the service endpoint, and STS when a role is assumed. */
export function awsOrigins(a: AwsAccountFields, service: 'sns' | 'email'): string[] {
  const origins = [originOf(serviceEndpoint(a, service))!];
  if (a.role_arn !== undefined) origins.push(originOf(stsEndpoint(a))!);
  return [...new Set(origins)];
}

export const serviceEndpoint = (a: AwsAccountFields, service: 'sns' | 'email'): string => a.endpoint ?? regionalEndpoint(service, a.region);
export const stsEndpoint = (a: AwsAccountFields): string => a.sts_endpoint ?? regionalEndpoint('sts', a.region);

/** The account's own keys, when it has them. */
export function accountKeys(a: AwsAccountFields): AwsCredentials | undefined {
  return a.access_key_id !== undefined && a.secret_access_key !== undefined ? { accessKeyId: a.access_key_id, secretAccessKey: a.secret_access_key } : undefined;
}

/** The credential source for `AwsCredentialProvider`, from `base`: the account's keys or the daemon's. */
export function credentialSource(a: AwsAccountFields, base: AwsCredentials): CredentialSource {
  return {
    base,
    roleArn: a.role_arn,
    externalId: a.external_id,
    stsEndpoint: stsEndpoint(a),
    region: a.region,
  };
}
