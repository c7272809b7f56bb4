/**
 * Account types as the registry sees them: built once from the action-type manifests that declare an
 * `account`, checked at start (duplicates and bad names fail then, not at first use).
 */
import type { ActionType } from '../actions/types.ts';
import { VigilError } from '../errors.ts';
import { compilePatterns, type SecretPattern } from './secret-paths.ts';
import { assertValidId } from './store.ts';

/** The slice of a zod schema the registry uses. */
export interface AccountSchema {
  safeParse(
    v: unknown,
  ): { success: true; data: unknown } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

export interface AccountTypeSpec {
  schema: AccountSchema;
  patterns: SecretPattern[];
}

export function buildAccountTypes(types: readonly ActionType[]): Map<string, AccountTypeSpec> {
  const specs = new Map<string, AccountTypeSpec>();
  for (const t of types) {
    if (!t.account) continue;
    assertValidId('type', t.type);
    if (specs.has(t.type)) throw new VigilError('CONFIG_INVALID', `account type ${t.type} is declared twice`);
    specs.set(t.type, { schema: t.account.schema as AccountSchema, patterns: compilePatterns(t.account.secretFields) });
  }
  return specs;
}
