/**
 * The `vigil` command line: dispatches to a subcommand. Thin on purpose: the daemon is `buildApp`
 * (src/app.ts), which tests embed without this file.
 *
 * Exit codes: 0 success, 1 failure (an invalid watch, a failed run, a configuration problem), 2 a command
 * line that could not be understood. What reaches the terminal is one line per problem: a user error
 * never prints a stack trace, and an unexpected error prints one only with `VIGIL_DEBUG=1`.
 */
import { EXIT_USAGE, parseCommand } from './cli/args.ts';
import { specFor } from './cli/specs.ts';
import { VigilError } from './errors.ts';

const USAGE = `usage: vigil <command> [options]

commands:
  run          run the daemon
  validate     check watch files or folders
  execute      run one watch once and print its watch-log record
  keygen       print a new master key
  rotate-keys  re-encrypt every account secret with the active master key
  users        manage API users (add, token, list, delete)
  security     export or apply the security configuration as OpenSearch Security files
  migrate      copy everything stored from SQLite and the folders to the cluster, or back
  schema       write the JSON Schemas of watch files and account documents

Run 'vigil <command> --help' for the options of a command.
`;

type Command = (args: string[]) => Promise<number>;

// Loaded on demand: `vigil keygen` should not pay for fastify, and `vigil --help` for nothing at all.
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./cli/run.ts')).runCommand,
  validate: async () => (await import('./cli/validate.ts')).validateCommand,
  execute: async () => (await import('./cli/execute.ts')).executeCommand,
  keygen: async () => (await import('./cli/keys.ts')).keygenCommand,
  'rotate-keys': async () => (await import('./cli/keys.ts')).rotateKeysCommand,
  users: async () => {
    const { usersCommand } = await import('./cli/users.ts');
    return (args) => usersCommand(args);
  },
  security: async () => (await import('./cli/security.ts')).securityCommand,
  migrate: async () => (await import('./cli/migrate.ts')).migrateCommand,
  schema: async () => (await import('./cli/schema.ts')).schemaCommand,
};

async function main(cmd: string | undefined, rest: string[]): Promise<number> {
  if (cmd === undefined) {
    process.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const load = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
  if (!load) {
    process.stderr.write(`vigil: unknown command '${cmd}'\nRun 'vigil --help' for the list of commands.\n`);
    return EXIT_USAGE;
  }
  // Help and argument errors are answered before the command's module (and all it imports) is loaded.
  const pre = specFor(cmd, rest);
  if (pre && 'help' in pre) {
    process.stdout.write(pre.help);
    return 0;
  }
  if (pre) {
    const parsed = parseCommand(pre.spec, pre.args);
    if (!parsed.ok) return parsed.code;
  }
  return (await load())(rest);
}

/**
 * One line for any error that escaped a command. A VigilError is written for the user (and carries no
 * secret); anything else is a bug, whose stack helps a developer but only confuses an operator.
 */
function describeFailure(who: string, e: unknown, debug: boolean): string {
  if (e instanceof VigilError) return `${who}: ${e.message}\n`;
  if (debug) return `${who}: ${(e as Error)?.stack ?? String(e)}\n`;
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  return `${who}: unexpected error: ${message}\n(set VIGIL_DEBUG=1 to see where it happened)\n`;
}

const [cmd, ...rest] = process.argv.slice(2);
main(cmd, rest).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(describeFailure(cmd && Object.hasOwn(commands, cmd) ? `vigil ${cmd}` : 'vigil', e, Boolean(process.env.VIGIL_DEBUG)));
    process.exitCode = 1;
  },
);
