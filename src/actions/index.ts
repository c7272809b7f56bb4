/**
 * The only list of action types. Adding one = one folder under src/actions/, its tests, one line here.
 */
import type { ActionType } from './types.ts';
import { slackAction } from './slack/index.ts';
import { pagerdutyAction } from './pagerduty/index.ts';

export const actionTypes: readonly ActionType[] = [
  slackAction,
  pagerdutyAction,
];
