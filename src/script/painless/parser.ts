/** Statement half of the parser; `parse(source)` is the entry point. */
import type { Stmt, TypeRef } from './ast.ts';
import { tokenize } from './lexer.ts';
import { RESERVED, UNSUPPORTED_KEYWORDS } from './names.ts';
import { ExprParser } from './parse-expr.ts';

/** Parses a whole script. Throws ScriptCompileError with line/column on a syntax error or unsupported construct. */
export function parse(source: string): Stmt[] {
  return new Parser(tokenize(source)).parseProgram();
}

class Parser extends ExprParser {
  parseProgram(): Stmt[] {
    const body: Stmt[] = [];
    while (this.peek().kind !== 'eof') body.push(this.parseStmt(true));
    return body;
  }

  protected parseBlockBody(): Stmt[] {
    const body: Stmt[] = [];
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') this.fail("expected '}' but reached the end of the script");
      body.push(this.parseStmt(false));
    }
    this.next();
    return body;
  }

  /** Java requires `;` after simple statements; like Painless we accept its omission before `}` or the end. */
  private endSimple(): void {
    if (this.eat(';')) return;
    if (this.is('}') || this.peek().kind === 'eof') return;
    this.fail(`expected ';' but found '${this.peek().value}'`);
  }

  private parseStmt(topLevel: boolean): Stmt {
    this.enter();
    try {
      return this.parseStmtInner(topLevel);
    } finally {
      this.depth--;
    }
  }

  private parseStmtInner(topLevel: boolean): Stmt {
    const t = this.peek();
    const pos = this.pos(t);
    if (t.kind === 'op') {
      if (t.value === '{') { this.next(); return { k: 'block', pos, body: this.parseBlockBody() }; }
      if (t.value === ';') { this.next(); return { k: 'empty', pos }; }
    }
    if (t.kind === 'id') {
      const unsupported = UNSUPPORTED_KEYWORDS[t.value];
      if (unsupported) this.unsupported(unsupported);
      switch (t.value) {
        case 'if': {
          this.next();
          const test = this.parseParenExpr();
          const then = this.parseStmt(false);
          const alt = this.eat('else') ? this.parseStmt(false) : null;
          return { k: 'if', pos, test, then, else: alt };
        }
        case 'while': {
          this.next();
          const test = this.parseParenExpr();
          return { k: 'while', pos, test, body: this.parseStmt(false) };
        }
        case 'do': {
          this.next();
          const body = this.parseStmt(false);
          this.expect('while');
          const test = this.parseParenExpr();
          this.endSimple();
          return { k: 'do', pos, test, body };
        }
        case 'for': return this.parseFor();
        case 'break': this.next(); this.endSimple(); return { k: 'break', pos };
        case 'continue': this.next(); this.endSimple(); return { k: 'continue', pos };
        case 'return': {
          this.next();
          const value = this.is(';') || this.is('}') || this.peek().kind === 'eof' ? null : this.parseExpr();
          this.endSimple();
          return { k: 'return', pos, value };
        }
      }
      const tl = this.typeLength();
      if (tl > 0 && this.peek(tl).kind === 'id') {
        if (this.is('(', tl + 1)) this.unsupported('function declaration');
        const type = this.parseType();
        const stmt = this.parseDeclRest(type, pos);
        this.endSimple();
        return stmt;
      }
      if (topLevel && !RESERVED.has(t.value) && this.peek(1).kind === 'id' && this.is('(', 2)) this.unsupported('function declaration');
    }
    const expr = this.parseExpr();
    this.endSimple();
    return { k: 'expr', pos, expr };
  }

  private parseDeclRest(type: TypeRef, pos: Stmt['pos']): Stmt {
    const vars: Array<{ name: string; pos: Stmt['pos']; init: ReturnType<ExprParser['parseExpr']> | null }> = [];
    do {
      const vpos = this.pos();
      const name = this.ident();
      vars.push({ name, pos: vpos, init: this.eat('=') ? this.parseExpr() : null });
    } while (this.eat(','));
    return { k: 'decl', pos, type, vars };
  }

  private parseParenExpr() {
    this.expect('(');
    const e = this.parseExpr();
    this.expect(')');
    return e;
  }

  private parseFor(): Stmt {
    const pos = this.pos(this.next());
    this.expect('(');
    // for (x in list)
    if (this.peek().kind === 'id' && this.is('in', 1)) {
      const name = this.ident();
      this.next();
      const iter = this.parseExpr();
      this.expect(')');
      return { k: 'foreach', pos, type: { name: 'def', array: false }, name, iter, body: this.parseStmt(false) };
    }
    const tl = this.typeLength();
    // for (Type x : list)
    if (tl > 0 && this.peek(tl).kind === 'id' && this.is(':', tl + 1)) {
      const type = this.parseType();
      const name = this.ident();
      this.next();
      const iter = this.parseExpr();
      this.expect(')');
      return { k: 'foreach', pos, type, name, iter, body: this.parseStmt(false) };
    }
    let init: Stmt | null = null;
    if (!this.is(';')) {
      const ipos = this.pos();
      if (tl > 0 && this.peek(tl).kind === 'id') init = this.parseDeclRest(this.parseType(), ipos);
      else init = { k: 'expr', pos: ipos, expr: this.parseExpr() };
    }
    this.expect(';');
    const test = this.is(';') ? null : this.parseExpr();
    this.expect(';');
    const update = [];
    if (!this.is(')')) {
      do update.push(this.parseExpr()); while (this.eat(','));
    }
    this.expect(')');
    return { k: 'for', pos, init, test, update, body: this.parseStmt(false) };
  }
}
