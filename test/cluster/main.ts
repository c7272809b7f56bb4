/**
 * Runs the test cluster as its own process (`npm run test-cluster`, benchmarks, manual runs of example
 * watches):
 *
 *   node test/cluster/main.ts [--flavour es8|es9|os2|os3] [--port N] [--host H] [--data DIR] [--sample]
 *                             [--seed-file F] [--latency-ms N] [--request-cache]
 *
 * Prints `{"url": "...", "flavour": "..."}` as the first stdout line once listening (what benchmarks
 * read), then how to use it on stderr. `--data DIR` keeps the data in DIR across restarts (even after
 * SIGKILL); `--sample` loads the sample indices unless DIR already has them. `--seed-file` takes JSON
 * `{"<index>": {"mappings"?: {...}, "docs": [...]}}` or `{"<index>": [...docs]}`. SIGTERM/SIGINT close it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTestCluster } from './server.ts';
import { FLAVOUR_INFO, FLAVOURS, type Flavour } from './flavours.ts';
import { sampleData } from './sample-data.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    flavour: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    'latency-ms': { type: 'string', default: '0' },
    sample: { type: 'boolean', default: false },
    'seed-file': { type: 'string' },
    'request-cache': { type: 'boolean', default: false },
  },
});

const flavour = (values.flavour ?? positionals[0] ?? 'es9') as Flavour;
if (!FLAVOURS.includes(flavour)) {
  process.stderr.write(`unknown flavour ${flavour}; expected one of ${FLAVOURS.join(', ')}\n`);
  process.exit(2);
}

const cluster = await startTestCluster({
  flavour,
  port: Number(values.port ?? positionals[1] ?? 0),
  host: values.host,
  dataDir: values.data,
  latencyMs: Number(values['latency-ms']),
  // Benchmarks send many requests; keep the record short so memory stays flat.
  maxRecorded: 100,
  requestCache: values['request-cache'],
});

const seeded: string[] = [];
if (values.sample) {
  for (const s of sampleData(Date.now())) {
    // A data directory that already holds the sample keeps it (a restart must not double it).
    if (cluster.store.indices.has(s.index)) continue;
    cluster.seed(s.index, s.docs, s.mappings);
    seeded.push(`${s.index} (${s.docs.length} documents)`);
  }
}
if (values['seed-file']) {
  const seed = JSON.parse(readFileSync(values['seed-file'], 'utf8')) as Record<string, unknown>;
  for (const [index, spec] of Object.entries(seed)) {
    if (Array.isArray(spec)) cluster.seed(index, spec as Array<Record<string, unknown>>);
    else {
      const s = spec as { mappings?: { properties?: Record<string, unknown> }; docs?: Array<Record<string, unknown>> };
      cluster.seed(index, s.docs ?? [], s.mappings?.properties ?? (s.mappings as Record<string, unknown> | undefined));
    }
    seeded.push(index);
  }
}

process.stdout.write(JSON.stringify({ url: cluster.url, flavour }) + '\n');
const info = FLAVOUR_INFO[flavour];
process.stderr.write(
  [
    `Test cluster posing as ${info.distribution === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch'} ${info.version} on ${cluster.url}`,
    `  data: ${values.data ? `kept in ${values.data}` : 'in memory (--data DIR keeps it)'}${seeded.length > 0 ? `; loaded ${seeded.join(', ')}` : ''}`,
    `  indices: ${[...cluster.store.indices.keys()].join(', ') || 'none yet'}`,
    `Point Vigil at it:  VIGIL_CLUSTER_URL=${cluster.url} npm start`,
    `Try it:             curl -s '${cluster.url}/_cat/indices?v'`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n'),
);

const stop = () => void cluster.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
