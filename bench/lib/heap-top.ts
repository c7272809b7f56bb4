/**
 * Summarises a sampling heap profile (BENCH_HEAP_PROFILE): bytes per allocating function with its two
 * callers, and per file. `node bench/lib/heap-top.ts FILE [N]`
 */
import { readFileSync } from 'node:fs';

interface Frame { functionName: string; url: string; lineNumber: number }
interface Node { id: number; callFrame: Frame; children: Node[] }
const file = process.argv[2];
if (!file) throw new Error('usage: node bench/lib/heap-top.ts FILE [N]');
const top = Number(process.argv[3] ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as { head: Node; samples: Array<{ nodeId: number; size: number }> };
const short = (f: Frame) => `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/node_modules\//, 'nm/').replace(/^file:\/\/\/work\/main\//, '')}:${f.lineNumber + 1}`;
const byId = new Map<number, { node: Node; stack: Frame[] }>();
const walk = (n: Node, stack: Frame[]) => {
  byId.set(n.id, { node: n, stack });
  for (const c of n.children) walk(c, [...stack, n.callFrame]);
};
walk(p.head, []);
const sites = new Map<string, number>();
const files = new Map<string, number>();
let total = 0;
let unknown = 0;
for (const s of p.samples) {
  const hit = byId.get(s.nodeId);
  // V8 drops tree nodes whose live samples were all collected; their bytes still count in the total.
  if (!hit) {
    unknown += s.size;
    total += s.size;
    continue;
  }
  const { node, stack } = hit;
  const callers = stack.slice(-2).reverse().map((f) => f.functionName || '(anon)').join(' < ');
  const key = `${short(node.callFrame)}  < ${callers}`;
  sites.set(key, (sites.get(key) ?? 0) + s.size);
  const f = node.callFrame.url.replace(/^.*\/node_modules\//, 'nm/').replace(/^file:\/\/\/work\/main\//, '') || node.callFrame.functionName;
  files.set(f, (files.get(f) ?? 0) + s.size);
  total += s.size;
}
const mb = (n: number) => (n / 2 ** 20).toFixed(1).padStart(7);
console.log(`sampled ${mb(total)} MB (${mb(unknown)} MB at sites no longer in the tree)`);
for (const [k, v] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(mb(v), k);
console.log('--- by file');
for (const [k, v] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(mb(v), k);
