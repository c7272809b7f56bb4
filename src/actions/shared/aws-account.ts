/**
 * The AWS fields the SNS and SES accounts share: a region, the long-term keys, and optionally a role to
 * assume with them through STS (with an external id, at a chosen STS endpoint). Vigil takes no
 * credentials from its environment or an instance's metadata service (which the egress policy denies
 * anyway): the account holds the keys it signs with.
 */
import { z } from 'zod';
import { REGION_PATTERN, regionalEndpoint } from '../../net/aws/endpoints.ts';
import type { CredentialSource } from '../../net/aws/credentials.ts';
import { originOf } from './account-destination.ts';

export const regionField = z.string().regex(REGION_PATTERN, 'must be an AWS region such as us-east-1');
export const endpointField = z.url({ protocol: /^https?$/ }).refine((u) => originOf(u) !== undefined && new URL(u).search === '' && new URL(u).username === '', 'must be an http(s) URL without query or credentials');

/** `arn:aws:iam::<account>:role/<path/name>` (any partition). */
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Non-secret AWS fields. */
export const awsConfigShape = {
  region: regionField,
  access_key_id: z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id (AKIA…)'),
  role_arn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)').optional(),
  external_id: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2 to 1224 characters of letters, digits and +=,.@:/-').optional(),
  endpoint: endpointField.optional(),
  sts_endpoint: endpointField.optional(),
};

/** Secret AWS fields. */
export const awsSecretsShape = {
  secret_access_key: z.string().min(1),
};

export interface AwsAccountFields {
  region: string;
  access_key_id: string;
  secret_access_key: string;
  role_arn?: string | undefined;
  external_id?: string | undefined;
  endpoint?: string | undefined;
  sts_endpoint?: string | undefined;
}

/** Cross-field rules of the AWS fields. */
export function awsRules(a: AwsAccountFields, issue: (path: string, message: string) => void): void {
  if (a.external_id !== undefined && a.role_arn === undefined) issue('external_id', 'external_id is sent when assuming role_arn; set role_arn');
  if (a.sts_endpoint !== undefined && a.role_arn === undefined) issue('sts_endpoint', 'sts_endpoint is used to assume role_arn; set role_arn');
}

/** Where requests with these credentials go: the service endpoint, and STS when a role is assumed. */
export function awsOrigins(a: AwsAccountFields, service: 'sns' | 'email'): string[] {
  const origins = [originOf(serviceEndpoint(a, service))!];
  if (a.role_arn !== undefined) origins.push(originOf(stsEndpoint(a))!);
  return [...new Set(origins)];
}

export const serviceEndpoint = (a: AwsAccountFields, service: 'sns' | 'email'): string => a.endpoint ?? regionalEndpoint(service, a.region);
export const stsEndpoint = (a: AwsAccountFields): string => a.sts_endpoint ?? regionalEndpoint('sts', a.region);

/** The credential source for `AwsCredentialProvider`. */
export function credentialSource(a: AwsAccountFields): CredentialSource {
  return {
    accessKeyId: a.access_key_id,
    secretAccessKey: a.secret_access_key,
    roleArn: a.role_arn,
    externalId: a.external_id,
    stsEndpoint: stsEndpoint(a),
    region: a.region,
  };
}
