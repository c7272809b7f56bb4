/** Conformance of every registered check type: the shared suite in test/kit/check-conformance.ts over Vigil's own registry. */
import { expect, it } from 'vitest';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { checkConformance } from '../kit/check-conformance.ts';

const registry = builtinRegistry();
const covered = checkConformance(registry);

it('the suite covers every registered check type', () => {
  expect(covered).toEqual(registry.checks.map((t) => t.type));
  expect(covered.length).toBeGreaterThan(0);
});
