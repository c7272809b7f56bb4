/**
 * The `_test` of a recipient group: a test message to the group's members, sent through a sender
 * account the request names (`account`: an SMTP account id, or `ses:<id>`, `exchange:<id>`; default the
 * `default` SMTP account), opened and pinned to its destination as a delivery's would be.
 */
import { z } from 'zod';
import { ACCOUNT_REF_PATTERN } from '../shared/account-ref.ts';
import type { AccountTest, DeliveryResult, TestAccountDeps } from '../types.ts';
import { VigilError, errorMessage } from '../../errors.ts';
import { formatMailbox } from './addresses.ts';
import { TEST_MESSAGE } from './context.ts';
import { sendWith, testContext } from './dispatch.ts';
import { groupMailboxes, type EmailGroup } from './groups.ts';

export const groupTest: AccountTest<EmailGroup> = {
  body: z.strictObject({ account: z.string().regex(ACCOUNT_REF_PATTERN, 'an e-mail account: an id, or ses:<id>, exchange:<id>').optional() }),
  async run(group: EmailGroup, input: { account?: string }, deps: TestAccountDeps): Promise<DeliveryResult> {
    if (!deps.sender) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: 'no sender account can be opened here' };
    let opened;
    try {
      opened = await deps.sender(input.account ?? 'default');
    } catch (e) {
      return { ok: false, retry: false, code: e instanceof VigilError ? e.code : 'ACCOUNT_ERROR', message: errorMessage(e) };
    }
    const request = {
      to: groupMailboxes(group).map(formatMailbox),
      cc: [],
      bcc: [],
      from: '',
      reply_to: [],
      subject: TEST_MESSAGE.subject,
      text: 'This is a test message sent by Vigil to check a recipient group.',
      attachments: [],
    };
    return sendWith(opened.accountType === 'email' ? undefined : opened.accountType, request, opened.account, testContext(deps, opened.http));
  },
};
