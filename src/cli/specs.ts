/**
 * What each `vigil` subcommand accepts: its usage text, options and positional arguments, in one light
 * module. main.ts answers `--help` and rejects a bad command line from here before it loads a command
 * (whose imports, the daemon's included, take most of a second), and each command parses its own
 * arguments with the same spec.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { wantsHelp, type CommandSpec } from './args.ts';

const DEFAULT_EXECUTE_TIMEOUT = '30s';

export const RUN = {
  name: 'run',
  usage: `usage: vigil run [--config FILE] [--data DIR] [--watches DIR] [--accounts DIR] [--listen HOST:PORT] [--key-file FILE]
                 [--log-format json|pretty|ecs]

Runs the daemon: schedules the watches, delivers notifications and serves the REST API. Flags override
the config file. SIGTERM/SIGINT stop it after in-flight deliveries finish; SIGHUP re-reads the watches.

options:
  --config FILE       JSON configuration file
  --data DIR          state store folder (default ./data)
  --watches DIR       watch files (default ./watches)
  --accounts DIR      sealed accounts (default ./accounts)
  --listen HOST:PORT  REST API address (default 127.0.0.1:9600)
  --key-file FILE     master key ring for the accounts; default: the VIGIL_MASTER_KEY environment variable
  --log-format FORMAT json (default: one JSON object a line), pretty (readable, for a terminal) or ecs
                      (Elastic Common Schema, to ship into Elasticsearch); also VIGIL_LOG_FORMAT, log.format
`,
  options: {
    config: { type: 'string' },
    data: { type: 'string' },
    watches: { type: 'string' },
    accounts: { type: 'string' },
    listen: { type: 'string' },
    'key-file': { type: 'string' },
    'log-format': { type: 'string' },
  },
} satisfies CommandSpec<ParseArgsOptionsConfig>;

export const VALIDATE = {
  name: 'validate',
  usage: `usage: vigil validate PATH... [--accounts [DIR]] [--config FILE]

Checks the structure, scripts and templates of each watch file given; a folder is read the way the
daemon reads its watches folder (one sub-folder per tenant). With --accounts, every account a watch
names (or the 'default' one an action without "account" uses), and every channel a notification
action names, must exist: in DIR when one is given, else where the configured backend keeps accounts
(accounts_dir, or the cluster's accounts index with the cluster backend). Sealed accounts are not
opened, so no master key is needed.

options:
  --accounts [DIR]    check account references: against the accounts folder DIR, or without DIR
                      against the configured backend (put DIR-less --accounts after the paths or
                      before another option, as the next argument would be taken for DIR)
  --config FILE       JSON configuration file (the state backend, the clusters, accounts_dir), for
                      --accounts without DIR

Prints FILE: json.path: message for each problem, and a summary line on stderr.
Exit status: 0 when every watch is valid, 1 when one is not, 2 for a bad command line.
`,
  options: { accounts: { type: 'string' }, config: { type: 'string' } },
  optionalValues: ['accounts'],
  positionals: { min: 1, max: Infinity, label: 'PATH (a watch file or folder)' },
} satisfies CommandSpec<ParseArgsOptionsConfig>;

export const EXECUTE = {
  name: 'execute',
  usage: `usage: vigil execute FILE [--simulate] [--cluster URL] [--timeout DURATION]
                     [--config FILE] [--accounts DIR] [--key-file FILE]

Runs one watch once, outside any daemon (with a throw-away state store), and prints its watch-log record
as JSON on stdout; logs go to stderr.

options:
  --simulate          render the actions but send nothing (the record shows each request, credentials redacted)
  --cluster URL       the default cluster (as VIGIL_CLUSTER_URL; comma-separate several nodes)
  --timeout DURATION  the most the whole run may take, deliveries and their retries included (default 30s);
                      what is still running then is stopped and reported as failed
  --config FILE       JSON configuration file (clusters, egress, ...); with the cluster state backend
                      (state.backend, VIGIL_STATE_BACKEND) the accounts are the cluster's
  --accounts DIR      sealed accounts (default ./accounts)
  --key-file FILE     master key ring; default: the VIGIL_MASTER_KEY environment variable. Needed only when
                      an action uses an account (every email, Slack, PagerDuty and Jira action does)

Exit status: 0 when the run succeeded, 1 when the watch is invalid, its checks failed (EXECUTION_FAILED)
or an action failed (ACTION_FAILED), 2 for a bad command line.
`,
  options: {
    simulate: { type: 'boolean', default: false },
    cluster: { type: 'string' },
    timeout: { type: 'string', default: DEFAULT_EXECUTE_TIMEOUT },
    config: { type: 'string' },
    accounts: { type: 'string' },
    'key-file': { type: 'string' },
  },
  positionals: { min: 1, max: 1, label: 'FILE (the watch to run)' },
} satisfies CommandSpec<ParseArgsOptionsConfig>;

export const KEYGEN = {
  name: 'keygen',
  usage: `usage: vigil keygen [--out FILE]

Prints a new master key for the accounts registry: 32 random bytes, base64, on one line and nothing
else, so it can be piped. Use it as VIGIL_MASTER_KEY or put it in a key file (--key-file).

options:
  --out FILE   write the key to FILE instead (created with mode 0600; an existing file is never replaced)
`,
  options: { out: { type: 'string' } },
} satisfies CommandSpec<ParseArgsOptionsConfig>;

export const ROTATE_KEYS = {
  name: 'rotate-keys',
  usage: `usage: vigil rotate-keys [--accounts DIR] [--config FILE] [--key-file FILE] [--batch-size N]

Re-encrypts every account secret under the active master key (the first key of VIGIL_MASTER_KEY, or the
key marked active in the key file). Keys still in use stay readable while it runs, and an interrupted
rotation is resumed by running it again. With an accounts folder, run it while the daemon is stopped;
with the cluster backend (the accounts in the cluster) it may run while daemons do.

options:
  --accounts DIR     the accounts folder (default ./accounts)
  --config FILE      JSON configuration file (the state backend, the clusters)
  --key-file FILE    the key ring; default: the VIGIL_MASTER_KEY environment variable
  --batch-size N     accounts per batch, progress is printed after each (default 100)

Prints {"total":…,"successful":…,"failed":…} on stdout; exit status 1 if an account could not be rewrapped.
`,
  options: { accounts: { type: 'string' }, config: { type: 'string' }, 'key-file': { type: 'string' }, 'batch-size': { type: 'string' } },
} satisfies CommandSpec<ParseArgsOptionsConfig>;

export const SCHEMA = {
  name: 'schema',
  usage: `usage: vigil schema [--out DIR]

Writes the JSON Schemas of the documents a user writes, generated from the schemas Vigil validates them
with: watch.schema.json (watch files) and account-<type>.schema.json (account documents, one per
account type). Point an editor at them, or name one in a document's "$schema" field, for completion
and checking as you type. Prints the path of each file written.

options:
  --out DIR   the folder to write to (default ./schemas; created if missing, files in it replaced)
`,
  options: { out: { type: 'string', default: './schemas' } },
} satisfies CommandSpec<ParseArgsOptionsConfig>;

export const MIGRATE = {
  name: 'migrate',
  usage: `usage: vigil migrate --to cluster|sqlite [--dry-run] [--include-log] [--config FILE]
                     [--data DIR] [--watches DIR] [--accounts DIR]

Copies users, roles, role mappings, action groups, tenants, API tokens, the audit log, the security
configuration, watch definitions, accounts, stored proxies and trust stores (sealed as they are, with
the key-check record), each watch's state, the notifications still pending in the outbox and, with
--include-log, the execution log: from a data folder and the watches and accounts folders to the indices of the cluster named by
state.cluster (--to cluster), or back (--to sqlite). Ids are kept (outbox keys, token ids, log ids);
what the target has already is left as it is, so running it again copies nothing twice. The data
folder is locked while it runs: it refuses a folder a running daemon holds.

options:
  --to cluster|sqlite  the backend to copy to
  --dry-run            count what would be copied; change nothing
  --include-log        copy the execution log too
  --config FILE        JSON configuration file (clusters, state.cluster, state.index_prefix, the folders)
  --data DIR           the data folder (default ./data)
  --watches DIR        the watches folder (default ./watches)
  --accounts DIR       the accounts folder (default ./accounts)

Prints what was copied per kind (copied, present, differ, skipped) and a JSON summary on stdout.
Exit status: 0 when done, 1 on an error (nothing copied after it; run it again), 2 for a bad command line.
`,
  options: {
    to: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'include-log': { type: 'boolean', default: false },
    config: { type: 'string' },
    data: { type: 'string' },
    watches: { type: 'string' },
    accounts: { type: 'string' },
  },
} satisfies CommandSpec<ParseArgsOptionsConfig>;

const NOTE = `Works on the backend the configuration selects (state.backend, VIGIL_STATE_BACKEND): with SQLite, a
stopped daemon's data folder (a running daemon holds it locked; --data DIR, default ./data); with the
cluster backend, the cluster's indices (no data folder, no lock; safe while daemons run).
`;

export const USERS_USAGE = `usage: vigil users <add|token|list|delete> ...

  echo PW | vigil users add NAME --role ROLE [--role ROLE] --password-stdin [--description TEXT] [--data DIR] [--config FILE]
  vigil users token NAME [--name LABEL] [--expires DURATION] [--data DIR] [--config FILE] [--key-file FILE]
  vigil users list [--data DIR] [--config FILE]
  vigil users delete NAME [--data DIR] [--config FILE]

Manages the REST API's users. ${NOTE}Run 'vigil users <subcommand> --help' for details.
`;

const data = { data: { type: 'string' }, config: { type: 'string' } } as const;
const NAME = { min: 1, max: 1, label: 'NAME (the user name)' };

export const USERS = {
  add: {
    name: 'users add',
    usage: `usage: echo PW | vigil users add NAME --role ROLE [--role ROLE] --password-stdin [--description TEXT] [--data DIR] [--config FILE]

Creates a user, or replaces the roles and password of an existing one. The password is read from stdin
(one trailing newline is dropped), never from the command line, where other users could see it.

options:
  --role ROLE         a role to grant (repeat for several); the built-in roles are admin, watch_manager, viewer, vigil_files
  --password-stdin    read the password from stdin (required)
  --description TEXT  free text shown in user listings
  --data DIR          the data folder (default ./data)
  --config FILE       JSON configuration file (the state backend, the clusters)
${NOTE}`,
    options: { ...data, role: { type: 'string', multiple: true }, 'password-stdin': { type: 'boolean' }, description: { type: 'string' } },
    positionals: NAME,
  },
  token: {
    name: 'users token',
    usage: `usage: vigil users token NAME [--name LABEL] [--expires DURATION] [--data DIR] [--config FILE] [--key-file FILE]

Creates an API token for a user and prints it once on stdout (it cannot be shown again).

options:
  --name LABEL        a label for the token
  --expires DURATION  lifetime, e.g. 90d or 12h (default: no expiry)
  --key-file FILE     the master key ring (token pepper); default: the VIGIL_MASTER_KEY environment variable
  --data DIR          the data folder (default ./data)
  --config FILE       JSON configuration file (the state backend, the clusters)
${NOTE}`,
    options: { ...data, name: { type: 'string' }, expires: { type: 'string' }, 'key-file': { type: 'string' } },
    positionals: NAME,
  },
  list: {
    name: 'users list',
    usage: `usage: vigil users list [--data DIR] [--config FILE]

Lists the users, one per line: name, roles, and whether it is reserved or hidden.
${NOTE}`,
    options: { ...data },
  },
  delete: {
    name: 'users delete',
    usage: `usage: vigil users delete NAME [--data DIR] [--config FILE]

Deletes a user and every token of theirs.
${NOTE}`,
    options: { ...data },
    positionals: NAME,
  },
} satisfies Record<string, CommandSpec<ParseArgsOptionsConfig>>;

const SECURITY_FILES = 'internal_users.yml, roles.yml, roles_mapping.yml, action_groups.yml, tenants.yml';

export const SECURITY_USAGE = `usage: vigil security <export|apply> DIR ...

  vigil security export DIR [--data DIR] [--config FILE]
  vigil security apply DIR [--data DIR] [--config FILE] [--watches DIR]

The security configuration as OpenSearch Security files (${SECURITY_FILES}): the only place
where users, roles and the rest can be marked reserved or hidden. ${NOTE}Run 'vigil security <subcommand> --help' for details.
`;

const DIR = { min: 1, max: 1, label: 'DIR (the folder of the files)' };

export const SECURITY = {
  export: {
    name: 'security export',
    usage: `usage: vigil security export DIR [--data DIR] [--config FILE]

Writes ${SECURITY_FILES} to DIR (mode 0600: they hold password hashes).

options:
  --data DIR      the data folder (default ./data)
  --config FILE   JSON configuration file (the state backend, the clusters)
${NOTE}`,
    options: { ...data },
    positionals: DIR,
  },
  apply: {
    name: 'security apply',
    usage: `usage: vigil security apply DIR [--data DIR] [--config FILE] [--watches DIR]

Validates every file of DIR that is present (${SECURITY_FILES}), then replaces those kinds whole, or
changes nothing and prints each problem as FILE: NAME.PATH: MESSAGE (exit 1).

options:
  --data DIR      the data folder (default ./data)
  --config FILE   JSON configuration file (the state backend, the clusters)
  --watches DIR   the watches folder, where tenants are folders (default ./watches)
${NOTE}`,
    options: { ...data, watches: { type: 'string', default: './watches' } },
    positionals: DIR,
  },
} satisfies Record<string, CommandSpec<ParseArgsOptionsConfig>>;

/** Commands made of subcommands: their usage, and each subcommand's spec. */
const GROUPS: Record<string, { usage: string; subs: Record<string, CommandSpec<ParseArgsOptionsConfig>> }> = {
  users: { usage: USERS_USAGE, subs: USERS },
  security: { usage: SECURITY_USAGE, subs: SECURITY },
};

const COMMANDS: Record<string, CommandSpec<ParseArgsOptionsConfig>> = {
  run: RUN,
  validate: VALIDATE,
  execute: EXECUTE,
  keygen: KEYGEN,
  'rotate-keys': ROTATE_KEYS,
  schema: SCHEMA,
  migrate: MIGRATE,
};

/** Every command's spec, and each subcommand's under `<command> <subcommand>` (docs/cli.md describes them all). */
export function allSpecs(): Record<string, CommandSpec<ParseArgsOptionsConfig>> {
  const out: Record<string, CommandSpec<ParseArgsOptionsConfig>> = { ...COMMANDS };
  for (const [name, group] of Object.entries(GROUPS)) for (const [sub, spec] of Object.entries(group.subs)) out[`${name} ${sub}`] = spec;
  return out;
}

/**
 * The spec that parses `args` of command `cmd` (for `users` and `security`, the subcommand's, with the
 * subcommand taken off), or the usage text to print when such a group itself is asked for help; null
 * for a command or subcommand that does not exist (the command reports those itself).
 */
export function specFor(cmd: string, args: readonly string[]): { spec: CommandSpec<ParseArgsOptionsConfig>; args: readonly string[] } | { help: string } | null {
  const group = Object.hasOwn(GROUPS, cmd) ? GROUPS[cmd]! : undefined;
  if (!group) return Object.hasOwn(COMMANDS, cmd) ? { spec: COMMANDS[cmd]!, args } : null;
  const [sub, ...rest] = args;
  if (sub !== undefined && wantsHelp([sub])) return { help: group.usage };
  return sub !== undefined && Object.hasOwn(group.subs, sub) ? { spec: group.subs[sub]!, args: rest } : null;
}
