import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VigilError } from '../errors.ts';
import { jsonSyntaxProblem } from '../json-syntax.ts';
import { zodDetail } from '../error-detail.ts';
import { configSchema, type VigilConfig, type VigilConfigInput } from './schema.ts';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Builds the configuration: file (if any) < environment < flags. Relative directories are resolved
 * against the working directory once, here, so nothing later depends on it.
 */
export function loadConfig(opts: { file?: string | undefined; env?: NodeJS.ProcessEnv; overrides?: VigilConfigInput } = {}): VigilConfig {
  const env = opts.env ?? process.env;
  let base: Record<string, unknown> = {};
  if (opts.file) {
    let text = '';
    try {
      text = readFileSync(opts.file, 'utf8');
      base = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      const why = e instanceof SyntaxError ? jsonSyntaxProblem(text, e) : (e as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new VigilError('CONFIG_INVALID', `cannot read config file ${opts.file}: ${why}`);
    }
  }
  const merged: Record<string, unknown> = { ...base };
  if (env.VIGIL_CLUSTER_URL) {
    const clusters = { ...((merged.clusters as Record<string, unknown>) ?? {}) };
    clusters.default = { ...((clusters.default as Record<string, unknown>) ?? {}), urls: env.VIGIL_CLUSTER_URL.split(',').map((s) => s.trim()) };
    merged.clusters = clusters;
  }
  if (env.VIGIL_EGRESS_ALLOW) {
    const egress = { ...((merged.egress as Record<string, unknown>) ?? {}) };
    egress.allow = [...((egress.allow as string[]) ?? []), ...env.VIGIL_EGRESS_ALLOW.split(',').map((s) => s.trim()).filter(Boolean)];
    merged.egress = egress;
  }
  if (env.VIGIL_LOG_LEVEL) merged.log = { ...((merged.log as object) ?? {}), level: env.VIGIL_LOG_LEVEL };
  if (env.VIGIL_LOG_FORMAT) merged.log = { ...((merged.log as object) ?? {}), format: env.VIGIL_LOG_FORMAT };
  if (env.VIGIL_PUBLIC_URL) merged.public_url = env.VIGIL_PUBLIC_URL;
  if (env.VIGIL_NODE_NAME) merged.node_name = env.VIGIL_NODE_NAME;
  if (env.VIGIL_STATE_BACKEND) merged.state = { ...((merged.state as object) ?? {}), backend: env.VIGIL_STATE_BACKEND };
  for (const [k, v] of Object.entries(opts.overrides ?? {})) if (v !== undefined) merged[k] = v;

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const detail = zodDetail(parsed.error.issues, { input: merged });
    const lines = Object.entries(detail).map(([p, l]) => `${p}: ${l.map((d) => d.error).join('; ')}`);
    throw new VigilError('CONFIG_INVALID', `invalid configuration: ${lines.join(', ')}`, detail);
  }
  const c = parsed.data;
  c.data_dir = resolve(c.data_dir);
  c.watches_dir = resolve(c.watches_dir);
  c.accounts_dir = resolve(c.accounts_dir);
  return deepFreeze(c);
}
