/**
 * Summarises a .cpuprofile: self time per function (top 40) and per file, as % of the samples; then
 * inclusive time (the function or anything it called) per function, which is what a flat profile needs.
 * `node bench/lib/profile-top.ts FILE [N]`
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
const file = process.argv[2];
if (!file) throw new Error('usage: node bench/lib/profile-top.ts FILE [N]');
const top = Number(process.argv[3] ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const counts = new Map<number, number>();
for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const total = p.samples.length;
const fn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, c] of counts) {
  const n = byId.get(id)!;
  const url = n.callFrame.url.replace(/^.*\/node_modules\//, 'nm/').replace(/^file:\/\/\/work\/main\//, '');
  const key = `${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + c);
  const f = url.startsWith('nm/') ? url.split('/').slice(0, url.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : url || n.callFrame.functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + c);
}
const pct = (c: number) => ((c / total) * 100).toFixed(1).padStart(5);
console.log(`samples ${total}`);
for (const [k, c] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(c), k);
console.log('--- by file / package');
for (const [k, c] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(c), k);

// Inclusive: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (n: Node) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/node_modules\//, 'nm/').replace(/^file:\/\/\/work\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
const incl = new Map<string, number>();
for (const [id, c] of counts) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) seen.add(keyOf(byId.get(cur)!));
  for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + c);
}
console.log('--- inclusive');
for (const [k, c] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top * 2)) console.log(pct(c), k);
