/**
 * The layers of src/, lowest first (`npm run layers`, part of `npm test`). A module may import from its
 * own folder and from any lower layer: never from a higher layer, nor from another folder of its own
 * layer. Type-only imports count too. Every top-level folder or file of src/ must be listed: a new one
 * fails the check until it is given its place here. README.md ("Development") explains the order.
 */
const LAYERS = [
  // Leaves: they import nothing from src/.
  ['clock', 'errors', 'json-syntax', 'secrets', 'fs', 'log', 'budget'],
  // Building blocks: problem details, outbound I/O, script engines, schedules, the event-loop delay window.
  ['error-detail', 'net', 'script', 'schedule', 'loop-delay'],
  // The metrics catalogue reads the event-loop delay window.
  ['templates', 'cluster', 'metrics'],
  // The daemon's settings and its state store (the shapes it persists included).
  ['config', 'state'],
  // The one HTTP request definition (schema and rendering) of the http check, webhooks and email attachments.
  ['request'],
  // Extension points: check types, then action types (their compile environment is the checks').
  ['checks'],
  ['actions'],
  // The type registry: every check and action manifest, checked once at start and handed to the layers above.
  ['registry'],
  // Accounts are typed by the action types that declare one.
  ['accounts'],
  // The outbox's deliverer drives action types.
  ['delivery'],
  // Watch files: schema, compiler, loader and the repository that keeps them, built from the type registry.
  ['watches'],
  // Runs watches: runner, service, throttle and acks.
  ['runtime'],
  // The node's health (what its work shows, background probes, the dead-man switch): read by the API.
  ['health'],
  ['security'],
  ['api'],
  // The composition root, then the commands built on it, then the entry point.
  ['app'],
  ['cli'],
  ['main'],
];

/** `net` → the folder src/net/ or the file src/net.ts. */
const modules = (names) => `^src/(${names.join('|')})(/|\\.ts$)`;

const layerRules = LAYERS.flatMap((layer, i) => {
  const lower = LAYERS.slice(0, i).flat();
  const above = LAYERS.slice(i + 1).flat();
  return layer.map((name) => {
    const siblings = layer.filter((n) => n !== name);
    const forbidden = [...above, ...siblings];
    return {
      name: `layer:${name}`,
      comment: `src/${name} may import only from ${lower.length ? lower.join(', ') : 'nothing else in src/'} (the layers are listed in .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: modules([name]) },
      to: { path: modules(forbidden.length ? forbidden : ['$^']) },
    };
  });
});

const known = modules(LAYERS.flat());

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'layer:unlisted',
      comment: 'every top-level folder and file of src/ has a place in the layers of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: known },
      to: {},
    },
    {
      name: 'layer:unlisted-target',
      comment: 'every top-level folder and file of src/ has a place in the layers of .dependency-cruiser.cjs',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: known },
    },
  ],
  options: {
    includeOnly: '^src/',
    // Type-only imports are dependencies too: an upward `import type` couples the layers all the same.
    tsPreCompilationDeps: true,
    exclude: { path: 'node_modules' },
  },
};
