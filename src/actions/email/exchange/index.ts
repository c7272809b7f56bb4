/** The `exchange` sender account type of the e-mail action. */
import type { LinkedAccountType } from '../../types.ts';
import { originOf } from '../../shared/account-destination.ts';
import { senderTest, testAccountBody } from '../deliver.ts';
import { authorityOf, EXCHANGE, exchangeAccount, graphOf, type ExchangeAccount } from './account.ts';

export const exchangeType: LinkedAccountType<ExchangeAccount> = {
  ...exchangeAccount,
  type: EXCHANGE,
  role: 'sender',
  // The client secret goes to the identity platform, the token it buys to Graph.
  destination: (a) => ({ origins: [...new Set([originOf(authorityOf(a))!, originOf(graphOf(a))!])] }),
  test: { body: testAccountBody, run: senderTest(EXCHANGE) },
  conformance: {
    example: (base) => ({
      tenant_id: '8f2c1a3e-1111-4c4c-9999-0123456789ab',
      client_id: '0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab',
      client_secret: 'confGraphSecretYY9393~abc',
      from: 'vigil@example.com',
      authority_url: base,
      graph_url: base,
    }),
    secrets: ['confGraphSecretYY9393~abc'],
    overHttp: true,
  },
};
