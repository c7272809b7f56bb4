/**
 * Painless lexer. Produces positioned tokens; anything the subset never accepts (regex literals,
 * char literals) is left to the parser to reject with a position and a construct name.
 */
import { ScriptCompileError } from '../types.ts';

export type TokenKind = 'num' | 'str' | 'id' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier name, operator text, string contents, or number source text. */
  value: string;
  /** For numbers: the numeric value and whether it is a floating-point literal. */
  num?: number;
  isFloat?: boolean;
  line: number;
  col: number;
}

// Longest first, so `>>>=` wins over `>>` and `>`.
const OPERATORS = [
  '>>>=', '===', '!==', '>>>', '<<=', '>>=', '==~',
  '==', '!=', '<=', '>=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '->', '::', '?.', '?:', '<<', '>>', '=~',
  '+', '-', '*', '/', '%', '=', '<', '>', '!', '~', '&', '|', '^', '?', ':', '.', ',', ';',
  '(', ')', '[', ']', '{', '}',
];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', '"': '"', "'": "'" };

/** Hard cap on source size: a watch script is a few KB; megabytes of source is a mistake or an attack. */
export const MAX_SOURCE_LENGTH = 256 * 1024;

export function tokenize(src: string): Token[] {
  if (src.length > MAX_SOURCE_LENGTH) throw new ScriptCompileError(`script longer than ${MAX_SOURCE_LENGTH} characters`, 1, 1);
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = src.length;
  const fail = (msg: string, at: number, construct?: string): never => {
    throw new ScriptCompileError(msg, line, at - lineStart + 1, construct);
  };
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') { i++; line++; lineStart = i; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const startLine = line, startCol = i - lineStart + 1;
      i += 2;
      while (i < n && !(src[i] === '*' && src[i + 1] === '/')) {
        if (src[i] === '\n') { line++; lineStart = i + 1; }
        i++;
      }
      if (i >= n) throw new ScriptCompileError('unterminated comment', startLine, startCol);
      i += 2;
      continue;
    }
    const col = i - lineStart + 1;
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1] ?? ''))) {
      const start = i;
      let isFloat = false;
      let value: number;
      if (c === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
        i += 2;
        while (i < n && /[0-9a-fA-F]/.test(src[i]!)) i++;
        value = parseInt(src.slice(start + 2, i), 16);
        if (src[i] === 'L' || src[i] === 'l') i++;
      } else {
        while (i < n && isDigit(src[i]!)) i++;
        if (src[i] === '.' && isDigit(src[i + 1] ?? '')) {
          isFloat = true;
          i++;
          while (i < n && isDigit(src[i]!)) i++;
        }
        if (src[i] === 'e' || src[i] === 'E') {
          isFloat = true;
          i++;
          if (src[i] === '+' || src[i] === '-') i++;
          if (!isDigit(src[i] ?? '')) fail('malformed number', start);
          while (i < n && isDigit(src[i]!)) i++;
        }
        value = Number(src.slice(start, i));
        const suffix = src[i];
        if (suffix === 'L' || suffix === 'l') {
          if (isFloat) fail('malformed number', start);
          i++;
        } else if (suffix === 'd' || suffix === 'D' || suffix === 'f' || suffix === 'F') {
          isFloat = true;
          i++;
        }
      }
      if (isIdStart(src[i] ?? '') || isDigit(src[i] ?? '')) fail('malformed number', start);
      out.push({ kind: 'num', value: src.slice(start, i), num: value, isFloat, line, col });
      continue;
    }
    if (isIdStart(c)) {
      const start = i;
      while (i < n && isIdPart(src[i]!)) i++;
      out.push({ kind: 'id', value: src.slice(start, i), line, col });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let s = '';
      for (;;) {
        if (i >= n || src[i] === '\n') fail('unterminated string', col + lineStart - 1);
        const ch = src[i]!;
        if (ch === c) { i++; break; }
        if (ch === '\\') {
          const e = src[i + 1] ?? '';
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            s += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          const mapped = ESCAPES[e];
          if (mapped === undefined) fail(`invalid escape sequence \\${e}`, i);
          s += mapped;
          i += 2;
          continue;
        }
        s += ch;
        i++;
      }
      out.push({ kind: 'str', value: s, line, col });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) fail(`unexpected character '${c}'`, i);
    out.push({ kind: 'op', value: op!, line, col });
    i += op!.length;
  }
  out.push({ kind: 'eof', value: '<end of script>', line, col: i - lineStart + 1 });
  return out;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isIdStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
}
function isIdPart(c: string): boolean {
  return isIdStart(c) || isDigit(c);
}
