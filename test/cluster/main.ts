/**
 * Runs the test cluster as its own process (benchmarks, manual runs of example watches):
 *
 *   node test/cluster/main.ts [--flavour es8|es9|os2|os3] [--port N] [--latency-ms N] [--sample] [--seed-file F] [--request-cache]
 *
 * Prints `{"url": "..."}` on stdout once listening. `--seed-file` takes JSON
 * `{"<index>": {"mappings"?: {...}, "docs": [...]}}` or `{"<index>": [...docs]}`. SIGTERM/SIGINT close it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTestCluster } from './server.ts';
import { FLAVOURS, type Flavour } from './flavours.ts';
import { sampleData } from './sample-data.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    flavour: { type: 'string' },
    port: { type: 'string', default: '0' },
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
  latencyMs: Number(values['latency-ms']),
  // Benchmarks send many requests; keep the record short so memory stays flat.
  maxRecorded: 100,
  requestCache: values['request-cache'],
});

if (values.sample) for (const s of sampleData(Date.now())) cluster.seed(s.index, s.docs, s.mappings);
if (values['seed-file']) {
  const seed = JSON.parse(readFileSync(values['seed-file'], 'utf8')) as Record<string, unknown>;
  for (const [index, spec] of Object.entries(seed)) {
    if (Array.isArray(spec)) cluster.seed(index, spec as Array<Record<string, unknown>>);
    else {
      const s = spec as { mappings?: { properties?: Record<string, unknown> }; docs?: Array<Record<string, unknown>> };
      cluster.seed(index, s.docs ?? [], s.mappings?.properties ?? (s.mappings as Record<string, unknown> | undefined));
    }
  }
}

process.stdout.write(JSON.stringify({ url: cluster.url, flavour }) + '\n');

const stop = () => void cluster.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
