/**
 * The `ses` account: an e-mail sender through the Amazon SES v2 API (`SendEmail`, SigV4), not SMTP.
 * AWS fields as the SNS account has them (region, keys or none for the daemon's own, optionally a role
 * to assume), plus `from` (the default sender, a verified identity), `configuration_set`, and the
 * defaults every sender has.
 */
import { z } from 'zod';
import { accountSchemas } from '../../shared/account-schema.ts';
import { awsConfigShape, awsRules, awsSecretsShape } from '../../shared/aws-account.ts';
import { checkAddressField, senderDefaultsRules, senderDefaultsShape } from '../defaults.ts';

export const SES = 'ses';

export const sesAccount = accountSchemas(
  z.strictObject({
    ...awsConfigShape,
    from: z.string().min(1).optional(),
    configuration_set: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an SES configuration set name').optional(),
    ...senderDefaultsShape,
  }),
  z.strictObject(awsSecretsShape),
  (a, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    awsRules(a, 'email', issue);
    checkAddressField(a.from, a.domain_allowlist, (m) => issue('from', m), { single: true });
    senderDefaultsRules(a, issue);
  },
);

export type SesAccount = z.infer<typeof sesAccount.schema>;
