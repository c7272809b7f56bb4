/**
 * Expression half of the recursive-descent parser (Java precedence). Statements live in parser.ts,
 * which extends this class; the split keeps both files small without an import cycle.
 */
import type { Expr } from './ast.ts';
import { CONSTRUCTIBLE, PRIMITIVE_TYPES, RESERVED, TYPE_NAMES } from './names.ts';
import { ParserBase } from './parse-base.ts';

const BINARY_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5,
  '==': 6, '!=': 6, '===': 6, '!==': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, instanceof: 7,
  '<<': 8, '>>': 8, '>>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '>>>=']);

export abstract class ExprParser extends ParserBase {
  parseExpr(): Expr {
    this.enter();
    try {
      return this.parseAssign();
    } finally {
      this.depth--;
    }
  }

  private parseAssign(): Expr {
    const lambda = this.tryLambda();
    if (lambda) return lambda;
    const t = this.peek();
    const left = this.parseCond();
    const op = this.peek();
    if (op.kind === 'op' && ASSIGN_OPS.has(op.value)) {
      if (left.k !== 'var' && left.k !== 'field' && left.k !== 'index') this.fail('invalid assignment target', t);
      if (left.k === 'field' && left.safe) this.fail('cannot assign through ?.', t);
      this.next();
      return { k: 'assign', pos: this.pos(op), op: op.value, target: left, value: this.parseAssign() };
    }
    return left;
  }

  private parseCond(): Expr {
    const test = this.parseElvis();
    if (!this.is('?')) return test;
    const q = this.next();
    const then = this.parseExpr();
    this.expect(':');
    return { k: 'cond', pos: this.pos(q), test, then, else: this.parseCond() };
  }

  private parseElvis(): Expr {
    const left = this.parseBinary(1);
    if (!this.is('?:')) return left;
    const t = this.next();
    return { k: 'elvis', pos: this.pos(t), left, right: this.parseElvis() };
  }

  private parseBinary(minPrec: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && (t.value === '=~' || t.value === '==~')) this.unsupported('regex', t);
      const prec = (t.kind === 'op' || t.value === 'instanceof') ? BINARY_PREC[t.value] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      if (t.value === 'instanceof') {
        left = { k: 'instanceof', pos: this.pos(t), arg: left, type: this.parseType() };
        continue;
      }
      const right = this.parseBinary(prec + 1);
      left = t.value === '&&' || t.value === '||'
        ? { k: 'logical', pos: this.pos(t), op: t.value, left, right }
        : { k: 'binary', pos: this.pos(t), op: t.value, left, right };
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'op') {
      if (t.value === '!' || t.value === '-' || t.value === '+' || t.value === '~') {
        this.next();
        this.enter();
        try {
          const arg = this.parseUnary();
          // Fold `-5` into a literal so the most negative int literal and constants stay cheap.
          if (t.value === '-' && arg.k === 'num') return { ...arg, pos: this.pos(t), value: -arg.value };
          return { k: 'unary', pos: this.pos(t), op: t.value, arg };
        } finally {
          this.depth--;
        }
      }
      if (t.value === '++' || t.value === '--') {
        this.next();
        const target = this.parsePostfix();
        if (target.k !== 'var' && target.k !== 'field' && target.k !== 'index') this.fail('invalid increment target', t);
        return { k: 'update', pos: this.pos(t), op: t.value, prefix: true, target };
      }
      if (t.value === '(' && this.isCast()) {
        this.next();
        const type = this.parseType();
        this.expect(')');
        return { k: 'cast', pos: this.pos(t), type, arg: this.parseUnary() };
      }
    }
    return this.parsePostfix();
  }

  /** `(Type)` followed by an operand is a cast; `(x) + 1` is not (Java's rule for reference types). */
  private isCast(): boolean {
    const len = this.typeLength(1);
    if (len === 0 || !this.is(')', 1 + len)) return false;
    if (PRIMITIVE_TYPES.has(this.peek(1).value) && len === 1) return true;
    const after = this.peek(2 + len);
    return after.kind === 'id' || after.kind === 'num' || after.kind === 'str' ||
      (after.kind === 'op' && (after.value === '(' || after.value === '!' || after.value === '~' || after.value === '['));
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') return e;
      if (t.value === '.' || t.value === '?.') {
        this.next();
        const nameTok = this.peek();
        const name = nameTok.kind === 'id' ? this.next().value : this.fail(`expected a name after '${t.value}'`);
        if (this.is('(')) e = { k: 'call', pos: this.pos(nameTok), obj: e, name, args: this.parseArgs(), safe: t.value === '?.' };
        else e = { k: 'field', pos: this.pos(nameTok), obj: e, name, safe: t.value === '?.' };
      } else if (t.value === '[') {
        this.next();
        const index = this.parseExpr();
        this.expect(']');
        e = { k: 'index', pos: this.pos(t), obj: e, index };
      } else if (t.value === '++' || t.value === '--') {
        if (e.k !== 'var' && e.k !== 'field' && e.k !== 'index') return e;
        this.next();
        e = { k: 'update', pos: this.pos(t), op: t.value, prefix: false, target: e };
      } else {
        return e;
      }
    }
  }

  protected parseArgs(): Expr[] {
    this.expect('(');
    const args: Expr[] = [];
    if (!this.eat(')')) {
      do args.push(this.parseExpr()); while (this.eat(','));
      this.expect(')');
    }
    return args;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    const pos = this.pos(t);
    if (t.kind === 'num') {
      this.next();
      return { k: 'num', pos, value: t.num!, isFloat: t.isFloat! };
    }
    if (t.kind === 'str') { this.next(); return { k: 'str', pos, value: t.value }; }
    if (t.kind === 'op') {
      if (t.value === '(') {
        this.next();
        const e = this.parseExpr();
        this.expect(')');
        return e;
      }
      if (t.value === '[') return this.parseCollectionLiteral();
      if (t.value === '/') this.unsupported('regex', t);
      this.fail(`unexpected '${t.value}'`, t);
    }
    if (t.kind === 'eof') this.fail('unexpected end of script', t);
    switch (t.value) {
      case 'true': this.next(); return { k: 'bool', pos, value: true };
      case 'false': this.next(); return { k: 'bool', pos, value: false };
      case 'null': this.next(); return { k: 'null', pos };
      case 'new': return this.parseNew();
    }
    if (this.is('::', 1)) {
      const owner = this.next().value;
      this.next();
      const nameTok = this.peek();
      const name = nameTok.kind === 'id' ? this.next().value : this.fail("expected a method name after '::'");
      return { k: 'methodRef', pos, owner, name };
    }
    if (this.is('.', 1) && t.value === 'Map' && this.peek(2).value === 'Entry' && this.is('::', 3)) {
      this.p += 4;
      return { k: 'methodRef', pos, owner: 'Map.Entry', name: this.ident() };
    }
    // Painless scripts may define and call their own functions; the subset has none (nor eval & co).
    if (this.is('(', 1) && !RESERVED.has(t.value)) this.unsupported('function call', t);
    return { k: 'var', pos, name: this.ident() };
  }

  private parseNew(): Expr {
    const t = this.next();
    const typeTok = this.peek();
    const type = this.ident();
    if (this.is('[')) {
      if (!TYPE_NAMES.has(type)) this.unsupported(`new ${type}[]`, typeTok);
      this.next();
      const size = this.parseExpr();
      this.expect(']');
      if (this.is('[')) this.unsupported('multi-dimensional array', this.peek());
      return { k: 'newArray', pos: this.pos(t), type, size };
    }
    if (!CONSTRUCTIBLE.has(type)) this.unsupported(`new ${type}`, typeTok);
    return { k: 'new', pos: this.pos(t), type, args: this.parseArgs() };
  }

  /** `[]`, `[:]`, `[a, b]`, `['k': v, …]`. */
  private parseCollectionLiteral(): Expr {
    const t = this.next();
    const pos = this.pos(t);
    if (this.eat(']')) return { k: 'list', pos, items: [] };
    if (this.is(':') && this.is(']', 1)) { this.p += 2; return { k: 'map', pos, entries: [] }; }
    const first = this.parseExpr();
    if (this.eat(':')) {
      const entries: Array<[Expr, Expr]> = [[first, this.parseExpr()]];
      while (this.eat(',')) {
        const key = this.parseExpr();
        this.expect(':');
        entries.push([key, this.parseExpr()]);
      }
      this.expect(']');
      return { k: 'map', pos, entries };
    }
    const items = [first];
    while (this.eat(',')) items.push(this.parseExpr());
    this.expect(']');
    return { k: 'list', pos, items };
  }

  /** `x -> …`, `(x, y) -> …`, `(def x) -> …`, `() -> …`. */
  private tryLambda(): Expr | null {
    const t = this.peek();
    let params: string[];
    if (t.kind === 'id' && this.is('->', 1)) {
      params = [this.ident()];
    } else if (t.kind === 'op' && t.value === '(') {
      let o = 1;
      const names: string[] = [];
      if (!this.is(')', o)) {
        for (;;) {
          const tl = this.typeLength(o);
          if (tl > 0 && this.peek(o + tl).kind === 'id') o += tl;
          if (this.peek(o).kind !== 'id') return null;
          names.push(this.peek(o).value);
          o++;
          if (this.is(',', o)) { o++; continue; }
          break;
        }
      }
      if (!this.is(')', o) || !this.is('->', o + 1)) return null;
      this.p += o + 1;
      params = names;
    } else {
      return null;
    }
    const arrow = this.expect('->');
    if (new Set(params).size !== params.length) this.fail('duplicate lambda parameter', t);
    if (this.is('{')) {
      this.next();
      return { k: 'lambda', pos: this.pos(arrow), params, body: this.parseBlockBody() };
    }
    return { k: 'lambda', pos: this.pos(arrow), params, body: this.parseExpr() };
  }
}
