/**
 * Preloaded (`node --import`) by `npm run layers`. dependency-cruiser parses TypeScript, type-only imports
 * included, through the compiler's JavaScript API, which the project's compiler (TypeScript 7.0, native)
 * does not ship. This points dependency-cruiser's own `typescript` imports at TypeScript 5 (the
 * `typescript-api` devDependency); every other importer still gets the project's compiler.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const fromCruiser = context.parentURL?.includes('/node_modules/dependency-cruiser/') ?? false;
    if (fromCruiser && (specifier === 'typescript' || specifier.startsWith('typescript/'))) {
      return nextResolve(`typescript-api${specifier.slice('typescript'.length)}`, context);
    }
    return nextResolve(specifier, context);
  },
});
