import { z } from 'zod';
import { accountSchemas } from '../shared/account-schema.ts';
import { awsConfigShape, awsRules, awsSecretsShape } from '../shared/aws-account.ts';

/** `arn:aws:sns:<region>:<account>:<topic>` (any partition; `.fifo` for FIFO topics). */
export const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;
const topicArn = z.string().regex(TOPIC_ARN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)');

/** The region an SNS topic ARN names. */
export const topicRegion = (arn: string): string | undefined => TOPIC_ARN.exec(arn)?.[1];
export const isFifo = (arn: string): boolean => arn.endsWith('.fifo');

/** SNS's rules for attribute names: letters, digits, `_-.`, no `AWS.`/`Amazon.` prefix, no leading, trailing or double dot. */
const ATTRIBUTE_NAME = /^(?!(?:aws|amazon)\.)(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/i;

const attributeValue = z.union([
  z.string(),
  z.strictObject({
    data_type: z.enum(['String', 'Number', 'String.Array']),
    value: z.string(),
  }),
]);

/**
 * SNS action params. `message` and `subject` are templates (the subject is cut to what SNS takes: one
 * line of at most 100 printable ASCII characters); `topic_arn` overrides the account's; attribute values
 * are templates too (a string is a `String` attribute).
 */
export const snsParams = z.strictObject({
  message: z.string().min(1),
  subject: z.string().optional(),
  topic_arn: topicArn.optional(),
  message_attributes: z
    .record(z.string().regex(ATTRIBUTE_NAME, 'SNS attribute names are letters, digits, _ - . (not starting AWS. or Amazon.)'), attributeValue)
    .refine((r) => Object.keys(r).length <= 10, 'SNS takes at most 10 message attributes')
    .optional(),
  /** FIFO topics: the message group (default `<tenant>.<watch id>`). */
  message_group_id: z.string().min(1).optional(),
});

export type SnsParams = z.infer<typeof snsParams>;

export const snsAccount = accountSchemas(z.strictObject({ ...awsConfigShape, topic_arn: topicArn.optional() }), z.strictObject(awsSecretsShape), (a, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  awsRules(a, 'sns', issue);
  if (a.topic_arn !== undefined && topicRegion(a.topic_arn) !== a.region) issue('topic_arn', `the topic is in ${topicRegion(a.topic_arn)}, the account in ${a.region}`);
});

export type SnsAccount = z.infer<typeof snsAccount.schema>;
