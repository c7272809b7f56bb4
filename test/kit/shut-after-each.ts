import { afterEach } from 'vitest';

/** What a test opens and must shut: an app (stopped) or a server or receiver (closed). */
export type Shuttable = { stop(): Promise<unknown> } | { close(): unknown };

/**
 * Call at a test file's top level: returns `keep`, which hands back what it is given and shuts it after
 * the test that kept it, the last kept first, so an app stops before the receivers it sends to close.
 */
export function shutAfterEach(): <T extends Shuttable>(thing: T) => T {
  const kept: Shuttable[] = [];
  afterEach(async () => {
    for (const t of kept.splice(0).reverse()) await ('stop' in t ? t.stop() : t.close());
  });
  return (thing) => {
    kept.push(thing);
    return thing;
  };
}
