/** `vigil migrate --to cluster|sqlite`: the copy itself is app/migrate; this parses, prints and sets the exit status. */
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { KINDS, runMigration } from '../app/migrate/index.ts';
import { parseCommand, processIo, usageError, type CliIo } from './args.ts';
import { toolNode } from './backend.ts';
import { MIGRATE } from './specs.ts';

export async function migrateCommand(args: string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCommand(MIGRATE, args, io);
  if (!parsed.ok) return parsed.code;
  const v = parsed.values;
  if (v.to !== 'cluster' && v.to !== 'sqlite') return usageError('migrate', v.to === undefined ? 'missing --to cluster|sqlite' : `--to must be cluster or sqlite, got '${v.to}'`, io);
  const dir = (d: string | undefined) => d && resolve(d);
  // The backend the configuration selects does not matter here: --to says which way the copy goes.
  const { VIGIL_STATE_BACKEND: _backend, ...rest } = env;
  const config = loadConfig({ file: v.config, env: rest, overrides: { data_dir: dir(v.data), watches_dir: dir(v.watches), accounts_dir: dir(v['accounts']) } });
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => io.stderr(line) } });
  const res = await runMigration({ config, to: v.to, dryRun: v['dry-run']!, includeLog: v['include-log']!, logger, node: toolNode('migrate') });
  io.stdout(`${res.dryRun ? 'dry run: nothing changed; ' : ''}from ${res.from} to ${res.to}\n`);
  io.stdout(`${'kind'.padEnd(16)} ${res.dryRun ? 'would copy' : 'copied'.padEnd(10)} present    differ     skipped\n`);
  for (const k of KINDS) {
    const c = res.counts[k];
    io.stdout(`${k.padEnd(16)} ${String(c.copied).padEnd(10)} ${String(c.present).padEnd(10)} ${String(c.differ).padEnd(10)} ${c.skipped}\n`);
  }
  io.stdout(`${JSON.stringify(res)}\n`);
  return 0;
}
