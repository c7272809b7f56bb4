#!/usr/bin/env node
// The `vigil` command. Vigil runs its TypeScript sources directly on Node 24 (built-in type stripping).
// Invoked by an older system `node`, it re-runs itself on the Node 24 the package pins as a dependency.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const pinned = [join(root, 'node_modules', 'node', 'bin', 'node'), join(root, 'node_modules', '.bin', 'node')].find(existsSync);
  if (!pinned) {
    console.error(`vigil needs Node.js 24 or newer (this is ${process.version}); run \`npm install\` in ${root} first`);
    process.exit(1);
  }
  const res = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(res.status ?? 1);
}
await import(join(root, 'src', 'main.ts'));
