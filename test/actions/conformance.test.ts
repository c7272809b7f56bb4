/**
 * Conformance of every registered action type: the shared suite in test/kit/action-conformance.ts,
 * run over Vigil's own registry from each type's fixtures. A new type is covered by registering it.
 */
import { expect, it } from 'vitest';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { actionConformance } from '../kit/action-conformance.ts';

const registry = builtinRegistry();
const covered = actionConformance(registry);

it('the suite covers every registered action type', () => {
  expect(covered).toEqual(registry.actions.map((t) => t.type));
  expect(covered.length).toBeGreaterThan(0);
});
