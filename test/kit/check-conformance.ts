/**
 * The conformance suite of the check-type extension point, run against every check type of a registry
 * from the example in its manifest (`conformance.valid`): the example parses with the type's schema and
 * in the registry's watch schema (as a watch's check and an action's), under every alias; an unknown key
 * is refused at its path; and it compiles. Nothing here names a type.
 */
import { describe, expect, it } from 'vitest';
import type { CheckType } from '../../src/checks/types.ts';
import type { TypeRegistry } from '../../src/registry/registry.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { watchSchemaFor } from '../../src/watches/schema.ts';
import { compileEnv } from './runtime.ts';

/** Declares the suite for every check type of `registry`; returns the names of the types it covers. */
export function checkConformance(registry: TypeRegistry): string[] {
  const named = (list: readonly CheckType<any>[]) => list.map((t) => [t.type, t] as const);
  // Any registered action carries the check as one of its own.
  const host = registry.actions[0];
  const action = (check: unknown) => (host ? [{ type: host.type, name: 'a', ...host.conformance.params('http://127.0.0.1:9'), checks: [check] }] : []);
  describe.each(named(registry.checks))('%s check', (_name, type) => {
    const valid = type.conformance.valid;

    it('its example parses, under its name and every alias, in a watch and in an action', () => {
      for (const spelling of [type.type, ...(type.aliases ?? [])]) {
        const check = { ...valid, type: spelling };
        expect(type.schema.safeParse(check).error?.issues ?? []).toEqual([]);
        const watch = { checks: [check], actions: action(check) };
        expect(watchSchemaFor(registry).safeParse(watch).error?.issues ?? []).toEqual([]);
      }
    });

    it('refuses an unknown key at its path', () => {
      const r = watchSchemaFor(registry).safeParse({ checks: [{ ...valid, no_such_field: 1 }] });
      expect(r.error?.issues.map((i) => [i.code, i.path.join('.'), (i as { keys?: string[] }).keys])).toEqual([['unrecognized_keys', 'checks.0', ['no_such_field']]]);
    });

    it('compiles', () => {
      const r = compileWatch({ checks: [valid] }, { tenant: '_main', id: 'w' }, { ...compileEnv(), registry });
      expect(r.ok ? null : r.detail).toBeNull();
      expect(r.ok && r.watch.checks.map((c) => c.type)).toEqual([type.type]);
    });
  });
  return registry.checks.map((t) => t.type);
}
