/** The `ses` sender account type of the e-mail action. */
import type { LinkedAccountType } from '../../types.ts';
import { awsOrigins } from '../../shared/aws-account.ts';
import { senderTest, testAccountBody } from '../deliver.ts';
import { SES, sesAccount, type SesAccount } from './account.ts';

export const sesType: LinkedAccountType<SesAccount> = {
  ...sesAccount,
  type: SES,
  role: 'sender',
  // The keys sign requests to SES's endpoint, and to STS's when a role is assumed.
  destination: (a) => ({ origins: awsOrigins(a, 'email') }),
  test: { body: testAccountBody, run: senderTest(SES) },
  conformance: {
    example: (base) => ({
      region: 'eu-west-1',
      from: 'vigil@example.com',
      access_key_id: 'AKIACONFORMANCE00002',
      secret_access_key: 'confSesSecretKeyXX8282/abc+def',
      endpoint: base,
    }),
    secrets: ['confSesSecretKeyXX8282/abc+def'],
    overHttp: true,
  },
};
