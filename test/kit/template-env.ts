/** A CompileEnv over the real template engine (src/templates/engine.ts), for action tests. */
import type { CompileEnv } from '../../src/checks/types.ts';
import { createTemplateEngine } from '../../src/templates/engine.ts';

export function templateEnv(): CompileEnv {
  const engine = createTemplateEngine();
  return {
    script() {
      throw new Error('scripts are not used by these actions');
    },
    template: (source, mode, field) => engine.compile(source, mode, field),
  };
}
