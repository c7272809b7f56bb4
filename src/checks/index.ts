/**
 * The only list of check types. Adding one = one file under src/checks/, its tests, one line here.
 */
import type { CheckType } from './types.ts';

export const checkTypes: readonly CheckType<any>[] = [];
