/**
 * The argument parsing every `vigil` subcommand shares: strict `node:util` parseArgs, `--help`/`-h`
 * anywhere before `--` prints the subcommand's usage and exits 0, and a bad argument is one line on
 * stderr (`vigil <cmd>: <what is wrong>`) plus where to find the usage, exit 2. Nothing here throws for
 * user input, so no stack trace can reach the terminal from argument errors.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** Exit code for a command line that could not be understood (as BSD `sysexits` EX_USAGE is to shells: 2). */
export const EXIT_USAGE = 2;

/** Where a command writes; tests pass their own. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const processIo: CliIo = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** As typed after `vigil`: `execute`, `users add`. Prefixes every error line. */
  name: string;
  /** The full usage text printed by `--help` (ends with a newline). */
  usage: string;
  options: O;
  /** How many positional arguments the command takes; default none. */
  positionals?: { min: number; max: number; label: string };
  /**
   * String options whose value may be left out: `--name` last, or followed by another option, is parsed
   * as `--name=` (the empty string); otherwise the next argument is its value.
   */
  optionalValues?: readonly string[];
}

export type ParsedArgs<O extends ParseArgsOptionsConfig> =
  | { ok: true; values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']; positionals: string[] }
  | { ok: false; code: number };

/** True when `--help` or `-h` comes before any `--` (after it, everything is a positional). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Prints `vigil <cmd>: <message>` and the usage hint; returns the usage exit code. */
export function usageError(name: string, message: string, io: CliIo = processIo): number {
  io.stderr(`vigil ${name}: ${message}\nRun 'vigil ${name} --help' for usage.\n`);
  return EXIT_USAGE;
}

/**
 * Parses `args` for one subcommand. Returns the values, or the exit code the caller should return
 * (0 after printing the usage for `--help`, 2 after a one-line error).
 */
export function parseCommand<O extends ParseArgsOptionsConfig>(spec: CommandSpec<O>, args: readonly string[], io: CliIo = processIo): ParsedArgs<O> {
  if (wantsHelp(args)) {
    io.stdout(spec.usage);
    return { ok: false, code: 0 };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: withOptionalValues(args, spec.optionalValues ?? []), options: spec.options, allowPositionals: true, strict: true });
  } catch (e) {
    return { ok: false, code: usageError(spec.name, describeParseError(e), io) };
  }
  const count = parsed.positionals.length;
  const { min, max, label } = spec.positionals ?? { min: 0, max: 0, label: '' };
  if (count > max) {
    const extra = parsed.positionals[max]!;
    return { ok: false, code: usageError(spec.name, max === 0 ? `unexpected argument '${extra}'` : `too many arguments (from '${extra}' on)`, io) };
  }
  if (count < min) return { ok: false, code: usageError(spec.name, `missing ${label}`, io) };
  return { ok: true, values: parsed.values as never, positionals: parsed.positionals };
}

/** `--name` with no value after it (the end, another option, or `--` next) becomes `--name=`. */
function withOptionalValues(args: readonly string[], names: readonly string[]): string[] {
  const out = [...args];
  for (let i = 0; i < out.length && out[i] !== '--'; i++) {
    const next = out[i + 1];
    if (names.some((n) => out[i] === `--${n}`) && (next === undefined || next.startsWith('-'))) out[i] = `${out[i]}=`;
  }
  return out;
}

/** parseArgs' messages are long and end in advice about `--`; this keeps the part that says what is wrong. */
function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = String(err.message ?? e);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return option ? `unknown option '${option}'` : 'unknown option';
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "argument missing", or "ambiguous" when the next word starts with '-' (it is taken for an option).
      if (option && /argument missing|ambiguous/.test(message)) return `option '${option}' needs a value`;
      if (option && /does not take an argument/.test(message)) return `option '${option}' does not take a value`;
      return firstSentence(message);
    default:
      return firstSentence(message);
  }
}

function firstSentence(message: string): string {
  return message.split('\n')[0]!.split('. ')[0]!;
}
