/**
 * The test cluster with a data directory: stopped and started again (in process, and as a process
 * killed with SIGKILL) it keeps every acknowledged document, `_seq_no`, mapping, alias, template and
 * stored script, and bumps the primary term as a recovered primary does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDirs } from '../kit/temp-dirs.ts';
import { startTestCluster, type TestCluster } from './server.ts';

const newDir = tempDirs('vigil-tc-');
const open: TestCluster[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function start(dataDir: string): Promise<TestCluster> {
  const c = await startTestCluster({ flavour: 'es9', dataDir, refreshIntervalMs: 20 });
  open.push(c);
  return c;
}

async function call(base: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('persistence to a data directory', () => {
  it('close and start again: documents, _seq_no, mappings, aliases, templates and scripts survive; the primary term goes up', async () => {
    const dir = newDir();
    let c = await start(dir);
    const u = c.url;
    await call(u, 'PUT', '/state', { settings: { index: { hidden: true } }, mappings: { dynamic: 'strict', properties: { n: { type: 'long' } } }, aliases: { 'state-alias': { is_write_index: true } } });
    await call(u, 'PUT', '/_index_template/tpl', { index_patterns: ['log-*'], template: { mappings: { dynamic: 'strict', properties: { m: { type: 'keyword' } } } } });
    await call(u, 'PUT', '/_scripts/q', { script: { lang: 'mustache', source: { query: { match_all: {} } } } });
    await call(u, 'PUT', '/state/_doc/a', { n: 1 });
    const b = (await call(u, 'PUT', '/state/_doc/b', { n: 2 })).body;
    await call(u, 'PUT', '/state/_doc/gone', { n: 3 });
    await call(u, 'DELETE', '/state/_doc/gone');
    await c.close();
    open.length = 0;

    c = await start(dir);
    const a = (await call(c.url, 'GET', '/state/_doc/a')).body;
    expect(a).toMatchObject({ found: true, _seq_no: 0, _primary_term: 1, _version: 1, _source: { n: 1 } });
    expect((await call(c.url, 'GET', '/state/_doc/gone')).status).toBe(404);
    // Recovered documents are searchable at once, as after a real recovery.
    expect((await call(c.url, 'POST', '/state/_search', {})).body.hits.total.value).toBe(2);
    const next = (await call(c.url, 'PUT', '/state-alias/_doc/c', { n: 4 })).body;
    expect(next).toMatchObject({ _index: 'state', _seq_no: 4, _primary_term: 2 });
    const cas = await call(c.url, 'PUT', `/state/_doc/b?if_seq_no=${b._seq_no}&if_primary_term=1`, { n: 5 });
    expect(cas.body).toMatchObject({ result: 'updated', _seq_no: 5, _primary_term: 2 });
    expect((await call(c.url, 'PUT', '/state/_doc/x', { other: 1 })).body.error.type).toBe('strict_dynamic_mapping_exception');
    expect((await call(c.url, 'GET', '/state')).body.state.settings.index.hidden).toBe('true');
    expect((await call(c.url, 'PUT', '/log-1/_doc/1', { z: 1 })).body.error.type).toBe('strict_dynamic_mapping_exception');
    expect((await call(c.url, 'GET', '/_scripts/q')).body.found).toBe(true);
  });

  it('a torn last journal line (a kill mid-write, never acknowledged) is dropped; a bad line before it stops the start', async () => {
    const dir = newDir();
    const c = await start(dir);
    await call(c.url, 'PUT', '/state/_doc/a', { n: 1 });
    await c.close();
    open.length = 0;
    const journal = readdirSync(dir).find((f) => f.startsWith('journal-'))!;
    appendFileSync(join(dir, journal), '{"t":"doc","index":"state","id":"b","sou');
    const again = await start(dir);
    expect((await call(again.url, 'GET', '/state/_doc/a')).body.found).toBe(true);
    expect((await call(again.url, 'GET', '/state/_doc/b')).body.found).toBe(false);
    await again.close();
    open.length = 0;
    const next = readdirSync(dir).find((f) => f.startsWith('journal-'))!;
    writeFileSync(join(dir, next), 'not json\n{"t":"script","id":"s","script":null}\n');
    await expect(startTestCluster({ flavour: 'es9', dataDir: dir })).rejects.toThrow(/line 1 is not a journal record/);
  });

  it('npm run test-cluster with --data: killed with SIGKILL, started again, every acknowledged write is there', async () => {
    const dir = newDir();
    const first = await spawnCluster(['--data', dir, '--sample']);
    expect(first.banner).toContain(`VIGIL_CLUSTER_URL=${first.url} npm start`);
    expect((await call(first.url, 'GET', '/logs/_count')).body.count).toBe(500);
    const ndjson = Array.from({ length: 20 }, (_, i) => `{"index":{"_index":"state","_id":"d${i}"}}\n{"n":${i}}\n`).join('');
    const bulk = await call(first.url, 'POST', '/_bulk', ndjson, 'application/x-ndjson');
    expect(bulk.body.errors).toBe(false);
    const last = (await call(first.url, 'PUT', '/state/_doc/last', { n: 99 })).body;
    expect(last._seq_no).toBe(20);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await spawnCluster(['--data', dir, '--sample']);
    // The sample is in the directory already, so it is not loaded twice.
    expect((await call(second.url, 'GET', '/logs/_count')).body.count).toBe(500);
    const docs = (await call(second.url, 'POST', '/_mget', { docs: [{ _index: 'state', _id: 'd0' }, { _index: 'state', _id: 'd19' }, { _index: 'state', _id: 'last' }] })).body.docs;
    expect(docs.map((d: { found: boolean }) => d.found)).toEqual([true, true, true]);
    const after = (await call(second.url, 'PUT', '/state/_doc/more', { n: 100 })).body;
    expect(after).toMatchObject({ _seq_no: 21, _primary_term: 2 });
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Starts `node test/cluster/main.ts` as npm run test-cluster does (on a free port), returning its URL and banner. */
async function spawnCluster(args: string[]): Promise<{ url: string; banner: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let banner = '';
  child.stderr!.on('data', (d: Buffer) => (banner += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`test cluster exited with ${code}: ${banner}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  // The banner follows the URL line; wait for its last line.
  while (!banner.includes('Stop with Ctrl-C.')) await new Promise((r) => child.stderr!.once('data', r));
  return { url, banner, child };
}
