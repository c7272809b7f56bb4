/**
 * What the registry checks of each manifest before it accepts it: every part present, names well
 * formed, no type or alias given twice, params that leave the common action fields alone, config and
 * secrets of an account kept apart. A manifest that fails is a bug in Vigil (or in an embedder's type),
 * so it fails the start, naming the type and the part, rather than the first watch that uses it.
 */
import type { z } from 'zod';
import { COMMON_ACCOUNT_FIELDS, COMMON_ACTION_FIELDS, type AccountManifest, type ActionType } from '../actions/types.ts';
import type { CheckType } from '../checks/types.ts';

/** A manifest the registry refuses. */
export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Type names and aliases: lower case, digits, `_`, `-`, `.`; they are file-system folder names for accounts too. */
const TYPE_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

const isFunction = (v: unknown) => typeof v === 'function';
const isZodObject = (v: unknown): v is z.ZodObject => typeof v === 'object' && v !== null && (v as { def?: { type?: string } }).def?.type === 'object';
/** A strict object: unknown keys are refused (`.strict()` / `z.strictObject`). */
const isStrict = (o: z.ZodObject) => (o.def.catchall as { def?: { type?: string } } | undefined)?.def?.type === 'never';

function fail(kind: string, name: unknown, problem: string): never {
  throw new RegistryError(`${kind} type ${JSON.stringify(name)}: ${problem}`);
}

/** Refuses the first problem of one action type manifest. */
export function checkActionManifest(t: ActionType): void {
  const fault = (problem: string) => fail('action', t?.type, problem);
  if (typeof t?.type !== 'string' || !TYPE_NAME.test(t.type)) fault('`type` must be a name like "webhook" ([a-z][a-z0-9_.-]*)');
  if (!isZodObject(t.params) || !isStrict(t.params)) fault('`params` must be a strict zod object');
  const shadowing = Object.keys(t.params.shape).filter((k) => (COMMON_ACTION_FIELDS as readonly string[]).includes(k));
  if (shadowing.length > 0) fault(`params ${shadowing.join(', ')} would shadow the common action field(s) of the same name`);
  if (!isFunction(t.compile)) fault('`compile` is missing');
  if (!isFunction(t.deliver)) fault('`deliver` is missing');
  for (const part of ['checkAccount', 'checkReferences', 'close'] as const) if (t[part] !== undefined && !isFunction(t[part])) fault(`\`${part}\` must be a function`);
  const c = t.conformance;
  if (!c || !isFunction(c.params) || typeof c.overHttp !== 'boolean') fault('`conformance` needs `params(base)` and `overHttp`');
  if (t.channel !== undefined && (typeof t.channel !== 'object' || t.channel === null || !isFunction(t.channel.format))) fault('`channel` needs `format` (a function of the message and the account)');
  if (t.channelOf !== undefined && !isFunction(t.channelOf)) fault('`channelOf` must be a function');
  if (t.references !== undefined && [t.references.params, t.references.account].some((f) => f !== undefined && !isFunction(f))) {
    fault('`references.params` and `references.account` must be functions');
  }
  if (t.account === undefined) {
    if (t.checkAccount) fault('`checkAccount` without an `account`');
    if (t.linkedAccounts?.length) fault('`linkedAccounts` without an `account`');
    if (t.channel) fault('`channel` without an `account`: a channel is an account');
    return;
  }
  if (t.channelOf) fault('`channelOf` with an `account`: an action sends through its own account or through a channel, not both');
  const a = t.account;
  // An own account may have no secret at all: a named destination an administrator decides and watch
  // authors only name (an e-mail channel's recipients) is worth an account too.
  checkAccountParts(a, 'account', fault, false);
  if (typeof a.required !== 'boolean') fault('`account.required` must be true or false');
  if (!c.account || !isFunction(c.account.example) || !Array.isArray(c.account.secrets) || (Object.keys(a.secrets.shape).length > 0 && c.account.secrets.length === 0)) {
    fault('`conformance.account` needs `example(base)` and the `secrets` it holds');
  }
  if (t.linkedAccounts !== undefined && !Array.isArray(t.linkedAccounts)) fault('`linkedAccounts` must be a list');
  for (const [i, l] of (t.linkedAccounts ?? []).entries()) {
    const part = `linkedAccounts[${i}]`;
    if (typeof l?.type !== 'string' || !TYPE_NAME.test(l.type)) fault(`\`${part}.type\` must be a name like "ses" ([a-z][a-z0-9_.-]*)`);
    if (l.role !== 'sender' && l.role !== 'lookup') fault(`\`${part}.role\` must be "sender" or "lookup"`);
    checkAccountParts(l, part, fault, l.role === 'sender');
    if (l.role === 'lookup' && Object.keys(l.secrets.shape).length > 0) fault(`\`${part}\`: a lookup account holds no secret (what it holds may be shown)`);
    const lc = l.conformance;
    if (!lc || !isFunction(lc.example) || !Array.isArray(lc.secrets) || typeof lc.overHttp !== 'boolean' || (l.role === 'sender' && lc.secrets.length === 0)) {
      fault(`\`${part}.conformance\` needs \`example(base)\`, the \`secrets\` it holds and \`overHttp\``);
    }
  }
}

/** The parts an account manifest (own or linked) must have; `needsSecret`: one without a secret is refused (a sender). */
function checkAccountParts(a: Omit<AccountManifest<unknown>, 'required'>, part: string, fault: (problem: string) => never, needsSecret: boolean): void {
  if (!isZodObject(a.config) || !isStrict(a.config)) fault(`\`${part}.config\` must be a strict zod object`);
  if (!isZodObject(a.secrets) || !isStrict(a.secrets)) fault(`\`${part}.secrets\` must be a strict zod object`);
  const secretNames = Object.keys(a.secrets.shape);
  if (needsSecret && secretNames.length === 0) fault(`\`${part}.secrets\` declares no field (a type without secrets needs no account)`);
  const both = secretNames.filter((k) => Object.hasOwn(a.config.shape, k));
  if (both.length > 0) fault(`${part} field(s) ${both.join(', ')} are declared both as config and as secrets`);
  const common = [...Object.keys(a.config.shape), ...secretNames].filter((k) => (COMMON_ACCOUNT_FIELDS as readonly string[]).includes(k));
  if (common.length > 0) fault(`${part} field(s) ${common.join(', ')} would shadow the field(s) every account has`);
  if (!a.schema || !isFunction(a.schema.safeParse)) fault(`\`${part}.schema\` is missing (build it with accountSchemas)`);
  const sealed = new Set(a.secretFields.map((f) => f.split('.')[0]));
  if (secretNames.some((k) => !sealed.has(k)) || sealed.size !== secretNames.length) {
    fault(`\`${part}.secretFields\` must name exactly the fields of \`${part}.secrets\` (build it with accountSchemas)`);
  }
  if (!isFunction(a.destination)) fault(`\`${part}.destination\` is missing`);
  if (a.test !== undefined && (!a.test.body || !isFunction(a.test.body.safeParse) || !isFunction(a.test.run))) fault(`\`${part}.test\` needs \`body\` (a zod schema) and \`run\``);
}

/** The `type` spellings a check type answers to. */
export function checkNames(t: CheckType<any>): string[] {
  return [t.type, ...(t.aliases ?? [])];
}

/** Refuses the first problem of one check type manifest. */
export function checkCheckManifest(t: CheckType<any>): void {
  const fault = (problem: string) => fail('check', t?.type, problem);
  if (typeof t?.type !== 'string' || !TYPE_NAME.test(t.type)) fault('`type` must be a name like "search" ([a-z][a-z0-9_.-]*)');
  if (t.aliases !== undefined && (!Array.isArray(t.aliases) || t.aliases.some((a) => typeof a !== 'string' || !TYPE_NAME.test(a)))) {
    fault('`aliases` must be a list of type names');
  }
  const schema = t.schema as unknown;
  if (!isZodObject(schema) || !isStrict(schema)) return fault('`schema` must be a strict zod object');
  const discriminator = schema.shape.type as z.ZodType | undefined;
  for (const name of checkNames(t)) {
    if (!discriminator?.safeParse(name).success) fault(`\`schema.type\` does not accept "${name}"`);
  }
  if (!isFunction(t.compile)) fault('`compile` is missing');
  if (t.checkReferences !== undefined && !isFunction(t.checkReferences)) fault('`checkReferences` must be a function');
  if (!t.conformance || typeof t.conformance.valid !== 'object' || t.conformance.valid === null) fault('`conformance.valid` (a valid definition) is missing');
}
