/**
 * The only list of action types. Adding one = one folder under src/actions/, its tests, one line here.
 */
import type { ActionType } from './types.ts';
import { slackAction } from './slack/index.ts';

export const actionTypes: readonly ActionType[] = [
  slackAction,
];
