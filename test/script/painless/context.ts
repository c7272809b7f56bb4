/** The script context the Painless tests run with: fixed times, a Saturday at 10:15:31.5 UTC. */
import type { ScriptContext } from '../../../src/script/types.ts';

export function makeContext(data: Record<string, unknown> = {}, item?: unknown): ScriptContext {
  return {
    data,
    watch: { id: 'w1', tenant: 'main' },
    trigger: {
      scheduled_time: '2024-05-04T10:15:30Z',
      triggered_time: '2024-05-04T10:15:31Z',
      previous_scheduled_time: null,
      next_scheduled_time: '2024-05-04T10:16:30Z',
    },
    execution_time: '2024-05-04T10:15:31.500Z',
    severity: null,
    ...(item !== undefined ? { item } : {}),
  };
}
