/**
 * Account types as the accounts registry sees them: built once from the type registry's account types,
 * the action types' own and their linked ones (the type registry has refused duplicates and bad names already).
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
  for (const t of types.accounts) specs.set(t.type, { schema: t.manifest.schema as AccountSchema, patterns: compilePatterns(t.manifest.secretFields) });
  return specs;
}
