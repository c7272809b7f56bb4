/**
 * The test cluster in a process of its own (`test/cluster/main.ts`), for acceptance tests whose
 * daemons are killed: the cluster keeps running (and, with a data folder, keeps what it acknowledged)
 * whatever happens to them, and its work does not share the test's event loop.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

const MAIN = resolve(import.meta.dirname, '../cluster/main.ts');

export interface ClusterProcess {
  url: string;
  pid: number;
  /** SIGTERM, and SIGKILL after 3 s. */
  stop(): Promise<void>;
}

export async function spawnTestCluster(o: { dataDir?: string; flavour?: string } = {}): Promise<ClusterProcess> {
  const args = [MAIN, '--flavour', o.flavour ?? 'es9', '--port', '0', ...(o.dataDir ? ['--data', o.dataDir] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('the test cluster printed no URL within 30 s')), 30_000);
    child.once('exit', (code) => (clearTimeout(timer), rej(new Error(`the test cluster exited with ${code} before listening`))));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      res((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => (clearTimeout(kill), done()));
        child.kill('SIGTERM');
      }),
  };
}
