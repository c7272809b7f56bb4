/**
 * The `vigil` command line: parses arguments and dispatches to a subcommand. Thin on purpose: the
 * daemon is `buildApp` (src/app.ts), which tests embed without this file.
 */
import { runCommand } from './cli/run.ts';
import { validateCommand } from './cli/validate.ts';
import { executeCommand } from './cli/execute.ts';
import { keygenCommand, rotateKeysCommand } from './cli/keys.ts';
import { VigilError } from './errors.ts';

const USAGE = `usage: vigil <command> [options]

commands:
  run [--config FILE] [--data DIR] [--watches DIR] [--accounts DIR] [--listen HOST:PORT] [--key-file FILE]
                        run the daemon
  validate PATH...      check watch files or folders (exit 1 on any error)
  execute FILE [--simulate] [--cluster URL]
                        run one watch once and print its watch-log record as JSON
  keygen                print a new base64 master key
  rotate-keys [--accounts DIR] [--key-file FILE]
                        re-encrypt every account secret with the active key (resumable)
  users ...             manage API users (see \`vigil users --help\`)
  security export|apply DIR
                        the security configuration as OpenSearch Security files
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  validate: validateCommand,
  execute: executeCommand,
  keygen: keygenCommand,
  'rotate-keys': rotateKeysCommand,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const users = cmd === 'users' ? (await import('./cli/users.ts').catch(() => null))?.usersCommand : undefined;
  const security = cmd === 'security' ? (await import('./cli/security.ts')).securityCommand : undefined;
  const fn = commands[cmd] ?? users ?? security;
  if (!fn) {
    process.stderr.write(`vigil: unknown command '${cmd}'\n${USAGE}`);
    return 2;
  }
  return fn(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Known errors are user-facing and carry no secrets; anything else is a bug worth its stack.
    process.stderr.write(e instanceof VigilError ? `vigil: ${e.message}\n` : `vigil: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
