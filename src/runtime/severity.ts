import type { ScriptContext, SeverityView } from '../script/types.ts';
import { ScriptRuntimeError } from '../script/types.ts';
import type { CompiledSeverity } from '../watches/compile.ts';

export const LEVEL_RANK: Readonly<Record<string, number>> = { none: 0, info: 1, warning: 2, error: 3, critical: 4 };
const LEVEL_NAME: Readonly<Record<string, string>> = { none: 'None', info: 'Info', warning: 'Warning', error: 'Error', critical: 'Critical' };

export function levelView(id: string, value: number | null, threshold: number | null): SeverityView {
  return { level: { id, name: LEVEL_NAME[id] ?? id, level: LEVEL_RANK[id] ?? 0 }, value, threshold };
}

/**
 * Maps the severity script's value to a level. Ascending: the highest threshold at or below
 * the value wins; descending: the lowest threshold at or above it. Below the first threshold: `none`.
 */
export function evaluateSeverity(sev: CompiledSeverity, ctx: ScriptContext): SeverityView {
  const raw = sev.script.run(ctx);
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value)) {
    throw new ScriptRuntimeError(`severity value must be a number, got ${JSON.stringify(raw)}`);
  }
  let hit: { threshold: number; level: string } | undefined;
  if (sev.order === 'ascending') {
    for (const m of sev.mapping) if (value >= m.threshold) hit = m;
  } else {
    for (let i = sev.mapping.length - 1; i >= 0; i--) if (value <= sev.mapping[i]!.threshold) hit = sev.mapping[i];
  }
  return hit ? levelView(hit.level, value, hit.threshold) : levelView('none', value, null);
}
