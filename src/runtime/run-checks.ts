import type { CheckOutcome, CheckRuntime, CompiledCheck } from '../checks/types.ts';
import type { ScriptContext } from '../script/types.ts';
import { errorMessage, VigilError, type ErrorCode } from '../errors.ts';

/** `code`: the stable code of a coded failure (a search the watch's roles do not allow: INDEX_FORBIDDEN). */
export type ChecksResult = { outcome: CheckOutcome } | { outcome: 'error'; check: string | null; message: string; code?: ErrorCode };

/**
 * Runs checks in order; the first false condition stops, the first error is reported with the check's
 * name. `timed` hears how long each check took (monotonic ms), a failed one included.
 */
export async function runChecks(
  checks: readonly CompiledCheck[],
  ctx: ScriptContext,
  rt: CheckRuntime,
  startAt?: string,
  timed?: (type: string, ms: number) => void,
): Promise<ChecksResult> {
  let started = startAt === undefined;
  for (const check of checks) {
    if (!started) {
      if (check.name !== startAt) continue;
      started = true;
    }
    const t0 = timed ? rt.clock.monotonic() : 0;
    try {
      if ((await check.run(ctx, rt)) === 'stop') return { outcome: 'stop' };
    } catch (e) {
      return { outcome: 'error', check: check.name, message: errorMessage(e), ...(e instanceof VigilError ? { code: e.code } : {}) };
    } finally {
      timed?.(check.type, rt.clock.monotonic() - t0);
    }
  }
  return { outcome: 'continue' };
}
