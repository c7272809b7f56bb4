/** Token-stream helpers and type parsing shared by the expression and statement parsers. */
import { ScriptCompileError } from '../types.ts';
import type { Pos, Stmt, TypeRef } from './ast.ts';
import type { Token } from './lexer.ts';
import { RESERVED, TYPE_NAMES, UNSUPPORTED_KEYWORDS } from './names.ts';

/** Nesting deeper than this is rejected: it guards the parser's and the evaluator's stacks. */
const MAX_DEPTH = 200;

export abstract class ParserBase {
  protected p = 0;
  protected depth = 0;
  protected readonly toks: Token[];

  constructor(toks: Token[]) {
    this.toks = toks;
  }

  protected abstract parseBlockBody(): Stmt[];

  protected peek(o = 0): Token {
    return this.toks[Math.min(this.p + o, this.toks.length - 1)]!;
  }
  protected next(): Token {
    return this.toks[this.p++]!;
  }
  protected is(value: string, o = 0): boolean {
    const t = this.peek(o);
    return (t.kind === 'op' || t.kind === 'id') && t.value === value;
  }
  protected eat(value: string): boolean {
    if (this.is(value)) { this.p++; return true; }
    return false;
  }
  protected expect(value: string): Token {
    if (!this.is(value)) this.fail(`expected '${value}' but found '${this.peek().value}'`);
    return this.next();
  }
  protected fail(msg: string, t: Token = this.peek(), construct?: string): never {
    throw new ScriptCompileError(msg, t.line, t.col, construct);
  }
  protected unsupported(construct: string, t: Token = this.peek()): never {
    this.fail(`${construct} is not supported by the Painless subset`, t, construct);
  }
  protected pos(t: Token = this.peek()): Pos {
    return { line: t.line, col: t.col };
  }
  protected enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail('script is nested too deeply');
  }
  protected ident(): string {
    const t = this.peek();
    if (t.kind !== 'id') this.fail(`expected a name but found '${t.value}'`);
    if (UNSUPPORTED_KEYWORDS[t.value]) this.unsupported(UNSUPPORTED_KEYWORDS[t.value]!);
    if (RESERVED.has(t.value)) this.fail(`'${t.value}' is a keyword`);
    return this.next().value;
  }

  /** At a type name (optionally `Map.Entry`, optionally `[]`), how many tokens the type spans; 0 if none. */
  protected typeLength(o = 0): number {
    const t = this.peek(o);
    if (t.kind !== 'id') return 0;
    let len = 1;
    if (t.value === 'Map' && this.is('.', o + 1) && this.peek(o + 2).value === 'Entry') len = 3;
    else if (!TYPE_NAMES.has(t.value)) return 0;
    while (this.is('[', o + len) && this.is(']', o + len + 1)) len += 2;
    return len;
  }
  protected parseType(): TypeRef {
    const len = this.typeLength();
    if (len === 0) this.fail(`expected a type but found '${this.peek().value}'`);
    const name = len >= 3 && this.is('.', 1) ? 'Map.Entry' : this.peek().value;
    const array = this.is('[', name === 'Map.Entry' ? 3 : 1);
    this.p += len;
    return { name, array };
  }

}
