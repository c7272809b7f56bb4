import { parseArgs } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { buildApp } from '../app.ts';
import { createLogger } from '../log.ts';
import { compileWatch } from '../watches/compile.ts';
import { errorSummary, describeErrors, refForFile } from '../watches/loader.ts';

/**
 * `vigil execute FILE [--simulate] [--cluster URL]`: runs one watch once, outside any daemon (its own
 * throw-away state directory), and prints the watch-log record as JSON on stdout. Exit 0 unless the run
 * is EXECUTION_FAILED (or the file is invalid).
 */
export async function executeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      simulate: { type: 'boolean', default: false },
      cluster: { type: 'string' },
      config: { type: 'string' },
      accounts: { type: 'string' },
      'key-file': { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    process.stderr.write('usage: vigil execute FILE [--simulate] [--cluster URL]\n');
    return 2;
  }
  const file = resolve(positionals[0]!);
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-execute-'));
  const env = { ...process.env, ...(values.cluster ? { VIGIL_CLUSTER_URL: values.cluster } : {}) };
  const config = loadConfig({
    file: values.config,
    env,
    overrides: { data_dir: dataDir, accounts_dir: values.accounts, key_file: values['key-file'], log: { level: 'warn', retention: 10 } },
  });
  // Logs go to stderr: stdout carries the record only.
  const app = await buildApp(config, { logger: createLogger({ level: 'warn', destination: process.stderr as never }), env });
  try {
    const ref = refForFile(dirname(file), file);
    const where = ref && 'id' in ref ? ref : { tenant: '_main', id: basename(file, '.json') };
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      process.stderr.write(`${file}: _: ${(e as Error).message}\n`);
      return 1;
    }
    const res = compileWatch(raw, where, app.compileEnv);
    if (!res.ok) {
      process.stderr.write(`${errorSummary(res.detail)}\n${describeErrors(file, res.detail).join('\n')}\n`);
      return 1;
    }
    const record = await app.runner.run(res.watch, { fire: null, simulate: values.simulate });
    await app.deliverer.stop(config.delivery.shutdown_grace_ms);
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return record.status.code === 'EXECUTION_FAILED' ? 1 : 0;
  } finally {
    await app.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
