/**
 * `vigil security …`: the security configuration as files, in the OpenSearch Security format, on the
 * backend the configuration selects: a stopped daemon's data directory (the state store lock refuses a
 * directory a running daemon holds), or the cluster.
 *
 *   vigil security export DIR [--data DIR]                  writes the five files (mode 0600: hashes)
 *   vigil security apply DIR [--data DIR] [--watches DIR]   validates every file present, then replaces
 *                                                           those kinds whole, or changes nothing
 *
 * The files are the only place `reserved` and `hidden` are set.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { systemClock } from '../clock.ts';
import { exportFiles, FILES, planApply, type SecuritySnapshot } from '../security/config-files.ts';
import { Namespaces } from '../security/namespaces.ts';
import { loadConfig } from '../config/load.ts';
import { openToolState } from './backend.ts';
import type { SecurityStore } from '../state/security-types.ts';
import { EXIT_USAGE, parseCommand, processIo, usageError, wantsHelp, type CliIo } from './args.ts';
import { SECURITY, SECURITY_USAGE } from './specs.ts';


async function snapshot(s: SecurityStore): Promise<SecuritySnapshot> {
  return {
    users: await s.users.list(),
    docs: { roles: await s.docs.list('roles'), rolesmapping: await s.docs.list('rolesmapping'), actiongroups: await s.docs.list('actiongroups'), tenants: await s.docs.list('tenants') },
  };
}

export async function securityCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    io.stderr(SECURITY_USAGE);
    return EXIT_USAGE;
  }
  if (wantsHelp([sub])) {
    io.stdout(SECURITY_USAGE);
    return 0;
  }
  if (sub !== 'export' && sub !== 'apply') return usageError('security', `unknown subcommand '${sub}' (export, apply)`, io);
  const parsed = parseCommand<ParseArgsOptionsConfig>(SECURITY[sub], rest, io);
  if (!parsed.ok) return parsed.code;
  const values = parsed.values as { data?: string; config?: string; watches?: string };
  const dir = parsed.positionals[0]!;
  const config = loadConfig({ file: values.config, overrides: { data_dir: values.data && resolve(values.data) } });
  const state = await openToolState(config, `security ${sub}`);
  const store = state.store;
  try {
    const s = store.security;
    if (sub === 'export') {
      await mkdir(dir, { recursive: true });
      for (const [file, text] of Object.entries(exportFiles(await snapshot(s)))) await writeFile(join(dir, file), text, { mode: 0o600 });
      io.stdout(`wrote ${FILES.map((f) => f.file).join(', ')} to ${dir}\n`);
      return 0;
    }
    const texts: Record<string, string> = {};
    for (const { file } of FILES) {
      try {
        texts[file] = await readFile(join(dir, file), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    const current = await snapshot(s);
    const plan = planApply(texts, current, systemClock.now());
    const spaces = new Namespaces(resolve(values.watches ?? './watches'));
    if (plan.ok) {
      // A tenant holding watches is not removed by a file that leaves it out.
      for (const c of plan.changes) {
        if (c.kind !== 'tenants' || c.value) continue;
        const n = (await spaces.watchFiles(c.name)).length;
        if (n) return fail(io, [`tenants.yml: ${c.name}: holds ${n} watch(es); delete them first or keep the tenant`]);
      }
    }
    if (!plan.ok) return fail(io, plan.problems);
    await s.apply(plan.changes);
    for (const c of plan.changes) if (c.kind === 'tenants' && c.value) await spaces.create(c.name);
    io.stdout(`applied: ${Object.entries(plan.counts).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    return 0;
  } finally {
    await state.close();
  }
}

function fail(io: CliIo, problems: string[]): number {
  io.stderr(`vigil security apply: nothing changed; ${problems.length} problem(s):\n${problems.map((p) => `  ${p}\n`).join('')}`);
  return 1;
}
