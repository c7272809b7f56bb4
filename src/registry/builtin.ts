/**
 * Vigil's own check and action types, from the two lists (`src/checks/index.ts`, `src/actions/index.ts`).
 * The composition root and the commands that work without a daemon (`vigil validate`, `rotate-keys`)
 * build their registry from these.
 */
import { actionTypes } from '../actions/index.ts';
import { checkTypes } from '../checks/index.ts';
import { createRegistry, type RegistryOptions, type RegistryTypes, type TypeRegistry } from './registry.ts';

export const builtinTypes: RegistryTypes = { actions: actionTypes, checks: checkTypes };

export function builtinRegistry(options: RegistryOptions = {}): TypeRegistry {
  return createRegistry(builtinTypes, options);
}
