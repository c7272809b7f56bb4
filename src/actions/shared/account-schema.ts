/**
 * An account type's schemas with its config and its secrets declared apart (as Kibana's connectors
 * declare `validate: {config, secrets}`): the whole account is the two merged, checked by the type's
 * cross-field rules, and the sealed fields follow from the secrets schema, so a secret cannot be
 * declared in one place and forgotten in the other.
 */
import { z } from 'zod';

export interface AccountSchemas<Account> {
  /** Strict object of the non-secret fields (host, port, default_from…): stored and returned in clear. */
  readonly config: z.ZodObject;
  /** Strict object of the secret fields: sealed at rest, never returned, logged or rendered. */
  readonly secrets: z.ZodObject;
  /** The whole account: config and secrets together, with the type's cross-field rules. */
  readonly schema: z.ZodType<Account>;
  /**
   * The sealed paths, from `secrets`: a field's name, or `name.*` for a record, whose entries are sealed
   * one by one so that their keys (header names) stay readable.
   */
  readonly secretFields: readonly string[];
}

/** Unwraps optional/default/nullable layers to the schema that holds the value. */
function valueSchema(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const def = cur.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) cur = def.innerType;
    else return cur;
  }
}

/** The sealed paths of a secrets object (see `AccountSchemas.secretFields`). */
export function sealedPaths(secrets: z.ZodObject): string[] {
  return Object.entries(secrets.shape).map(([name, s]) => (valueSchema(s as z.ZodType).def.type === 'record' ? `${name}.*` : name));
}

export function accountSchemas<C extends z.ZodRawShape, S extends z.ZodRawShape>(
  config: z.ZodObject<C>,
  secrets: z.ZodObject<S>,
  rules?: (account: z.output<z.ZodObject<C & S>>, ctx: z.RefinementCtx) => void,
) {
  const whole = z.strictObject({ ...config.shape, ...secrets.shape } as C & S);
  const schema = rules ? whole.superRefine(rules) : whole;
  return { config, secrets, schema, secretFields: sealedPaths(secrets) } satisfies AccountSchemas<z.output<typeof whole>>;
}
