/**
 * The only list of check types. Adding one = one file under src/checks/, its tests, one line here.
 */
import type { CheckType } from './types.ts';
import { staticCheck } from './static.ts';
import { searchCheck } from './search.ts';
import { httpCheck } from './http.ts';
import { calcCheck, conditionCheck, transformCheck } from './script-checks.ts';

export const checkTypes: readonly CheckType<any>[] = [staticCheck, searchCheck, httpCheck, conditionCheck, transformCheck, calcCheck];
