/**
 * Account types as the accounts registry sees them: built once from the action types of the type
 * registry that declare an `account` (the type registry has refused duplicates and bad names already).
 */
import type { TypeRegistry } from '../registry/registry.ts';
import { compilePatterns, type SecretPattern } from './secret-paths.ts';

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

export function buildAccountTypes(types: TypeRegistry): Map<string, AccountTypeSpec> {
  const specs = new Map<string, AccountTypeSpec>();
  for (const t of types.accountTypes) specs.set(t.type, { schema: t.account!.schema as AccountSchema, patterns: compilePatterns(t.account!.secretFields) });
  return specs;
}
