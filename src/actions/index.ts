/**
 * The only list of action types. Adding one = one folder under src/actions/, its tests, one line here.
 */
import type { ActionType } from './types.ts';
import { slackAction } from './slack/index.ts';
import { pagerdutyAction } from './pagerduty/index.ts';
import { jiraAction } from './jira/index.ts';
import { webhookAction } from './webhook/index.ts';
import { emailAction } from './email/index.ts';
import { logAction } from './log/index.ts';
import { indexAction } from './index-doc/index.ts';
import { teamsAction } from './teams/index.ts';
import { chimeAction } from './chime/index.ts';
import { snsAction } from './sns/index.ts';
import { notificationAction } from './notification/index.ts';
import { emailChannelAction } from './email-channel/index.ts';

export const actionTypes: readonly ActionType[] = [
  slackAction,
  pagerdutyAction,
  jiraAction,
  webhookAction,
  emailAction,
  logAction,
  indexAction,
  teamsAction,
  chimeAction,
  snsAction,
  notificationAction,
  emailChannelAction,
];
