/**
 * Notifications plugin configs as Vigil accounts: a request body read into the account it writes, an
 * account shown as the plugin's config item, and an account problem reported where the request wrote
 * the field. Secrets are write-only: a config shows the fields its account keeps in clear, and apart,
 * under `secrets`, the status of each sealed one.
 */
import { z } from 'zod';
import type { PublicAccount } from '../../accounts/search.ts';
import { isObject, type Doc } from '../../accounts/store.ts';
import { addDetail, zodDetail } from '../../error-detail.ts';
import { VigilError, type ErrorDetail } from '../../errors.ts';
import { byConfigType, CONFIG_TYPES, type ConfigTypeMapping } from './config-types.ts';

/** A config as a POST or PUT gives it, read and checked. */
export interface ConfigWrite {
  mapping: ConfigTypeMapping;
  /** The account fields to write: the type's own, and `name`, `description`, `enabled`. */
  account: Doc;
  /** POST only: the id the client chose. */
  configId?: string;
}

/** The plugin's config item (`config_list` entries, GET of one config). */
export interface ConfigItem {
  config_id: string;
  last_updated_time_ms: number;
  created_time_ms: number;
  config: { name: string; description: string; config_type: string; is_enabled: boolean } & Record<string, unknown>;
  /** Vigil: each sealed field of the config, by its path, shown as set (never its value). */
  secrets?: Record<string, unknown>;
}

const COMMON_SHAPE = {
  name: z.string().min(1).max(256),
  description: z.string().max(4096).optional(),
  is_enabled: z.boolean().optional(),
};

function invalid(detail: ErrorDetail, what = 'notification config'): VigilError {
  return new VigilError('INVALID_REQUEST', `invalid ${what}: ${Object.keys(detail).length} errors; see detail`, detail);
}

/**
 * Reads `{config_id?, config: {name, description, config_type, is_enabled, <config_type>: {…}}}`. For a
 * PUT, `config_id` may be repeated in the body only with the id of the path. Unknown fields are refused
 * at their path; values are never quoted (they may be secrets).
 */
export function readConfigBody(body: unknown, mode: { create: true } | { create: false; id: string }): ConfigWrite {
  if (!isObject(body)) throw new VigilError('INVALID_REQUEST', 'the body must be a JSON object: {"config_id"?, "config": {…}}');
  const detail: ErrorDetail = {};
  for (const k of Object.keys(body)) if (k !== 'config' && k !== 'config_id') addDetail(detail, k, 'unknown field');
  let configId: string | undefined;
  if (body.config_id !== undefined) {
    if (typeof body.config_id !== 'string') addDetail(detail, 'config_id', 'must be a string');
    else if (!mode.create && body.config_id !== mode.id) addDetail(detail, 'config_id', 'must be the id of the path, or left out');
    else configId = body.config_id;
  }
  const config = body.config;
  if (!isObject(config)) {
    addDetail(detail, 'config', 'required: an object with name, config_type and the config type\'s own object');
    throw invalid(detail);
  }
  const configType = config.config_type;
  const mapping = typeof configType === 'string' ? byConfigType.get(configType) : undefined;
  if (!mapping) {
    addDetail(detail, 'config.config_type', `must be one of ${CONFIG_TYPES.map((m) => m.configType).join(', ')}`);
    throw invalid(detail);
  }
  for (const other of CONFIG_TYPES) {
    if (other !== mapping && Object.hasOwn(config, other.configType)) addDetail(detail, `config.${other.configType}`, `does not match config_type ${mapping.configType}`);
  }
  const rest = Object.fromEntries(Object.entries(config).filter(([k]) => !byConfigType.has(k) || k === mapping.configType));
  const schema = z.strictObject({ ...COMMON_SHAPE, config_type: z.literal(mapping.configType), [mapping.configType]: mapping.schema });
  const parsed = schema.safeParse(rest);
  if (!parsed.success) Object.assign(detail, zodDetail(parsed.error.issues, { prefix: ['config'] }));
  if (!parsed.success || Object.keys(detail).length > 0) throw invalid(detail);
  const c = parsed.data as { name: string; description?: string; is_enabled?: boolean } & Record<string, unknown>;
  const account: Doc = { ...mapping.toAccount(c[mapping.configType]), name: c.name, enabled: c.is_enabled ?? true };
  if (c.description !== undefined) account.description = c.description;
  return { mapping, account, ...(configId !== undefined ? { configId } : {}) };
}

/** A secret's status as the accounts registry shows it: `{set: true, kid, updated_at}`. */
function isSecretStatus(v: unknown): boolean {
  return isObject(v) && v.set === true && Object.keys(v).every((k) => k === 'set' || k === 'kid' || k === 'updated_at');
}

/** Moves every secret status out of `node` (in place) into `out`, keyed by its dotted path. */
function takeSecrets(node: Doc, path: string, out: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(node)) {
    const here = `${path}.${k}`;
    if (isSecretStatus(v)) {
      out[here] = v;
      delete node[k];
    } else if (isObject(v)) takeSecrets(v, here, out);
  }
}

const millis = (iso: string | null) => (iso ? Date.parse(iso) || 0 : 0);

/** The account as the plugin's config item. An account without a name shows its id. */
export function configItem(a: PublicAccount, mapping: ConfigTypeMapping): ConfigItem {
  const acc = a.account;
  const sub = mapping.fromAccount(acc);
  const secrets: Record<string, unknown> = {};
  takeSecrets(sub, mapping.configType, secrets);
  return {
    config_id: a.id,
    last_updated_time_ms: millis(a.updated_at),
    created_time_ms: millis(a.created_at),
    config: {
      name: typeof acc.name === 'string' ? acc.name : a.id,
      description: typeof acc.description === 'string' ? acc.description : '',
      config_type: mapping.configType,
      is_enabled: acc.enabled !== false,
      [mapping.configType]: sub,
    },
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}

/**
 * An account problem (paths of the account, as the accounts registry reports them) at the path the
 * request wrote: `url` → `config.slack.url`, `default_from` → `config.smtp_account.from_address`,
 * `enabled` → `config.is_enabled`.
 */
export function toConfigError(e: unknown, mapping: ConfigTypeMapping): unknown {
  if (!(e instanceof VigilError) || e.code !== 'INVALID_REQUEST' || !e.detail) return e;
  const detail: ErrorDetail = {};
  for (const [path, problems] of Object.entries(e.detail)) {
    const head = /^[^.[]+/.exec(path)?.[0] ?? path;
    const tail = path.slice(head.length);
    let target: string;
    if (head === 'name' || head === 'description') target = `config.${head}${tail}`;
    else if (head === 'enabled') target = 'config.is_enabled';
    else if (head === '_') target = `config.${mapping.configType}`;
    else target = `config.${mapping.configType}.${mapping.paths[head] ?? head}${tail}`;
    for (const p of problems) addDetail(detail, target, p.error);
  }
  return invalid(detail);
}
