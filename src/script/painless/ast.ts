/** AST of the Painless subset. Every node carries its source position for compile and runtime errors. */

export interface Pos { line: number; col: number }

/** A declared type: a name (`int`, `def`, `String`, `List`…) and whether it is an array type (`String[]`). */
export interface TypeRef { name: string; array: boolean }

export type Expr =
  | { k: 'num'; pos: Pos; value: number; isFloat: boolean }
  | { k: 'str'; pos: Pos; value: string }
  | { k: 'bool'; pos: Pos; value: boolean }
  | { k: 'null'; pos: Pos }
  | { k: 'var'; pos: Pos; name: string }
  /** A static class name used as a receiver (`Math`, `Collectors`…). */
  | { k: 'class'; pos: Pos; name: string }
  | { k: 'field'; pos: Pos; obj: Expr; name: string; safe: boolean }
  | { k: 'index'; pos: Pos; obj: Expr; index: Expr }
  | { k: 'call'; pos: Pos; obj: Expr; name: string; args: Expr[]; safe: boolean }
  | { k: 'new'; pos: Pos; type: string; args: Expr[] }
  | { k: 'newArray'; pos: Pos; type: string; size: Expr }
  | { k: 'list'; pos: Pos; items: Expr[] }
  | { k: 'map'; pos: Pos; entries: Array<[Expr, Expr]> }
  | { k: 'unary'; pos: Pos; op: string; arg: Expr }
  | { k: 'binary'; pos: Pos; op: string; left: Expr; right: Expr }
  | { k: 'logical'; pos: Pos; op: '&&' | '||'; left: Expr; right: Expr }
  | { k: 'elvis'; pos: Pos; left: Expr; right: Expr }
  | { k: 'cond'; pos: Pos; test: Expr; then: Expr; else: Expr }
  | { k: 'assign'; pos: Pos; op: string; target: Expr; value: Expr }
  | { k: 'update'; pos: Pos; op: '++' | '--'; prefix: boolean; target: Expr }
  | { k: 'instanceof'; pos: Pos; arg: Expr; type: TypeRef }
  | { k: 'cast'; pos: Pos; type: TypeRef; arg: Expr }
  | { k: 'lambda'; pos: Pos; params: string[]; body: Expr | Stmt[] }
  | { k: 'methodRef'; pos: Pos; owner: string; name: string };

export type Stmt =
  | { k: 'expr'; pos: Pos; expr: Expr }
  | { k: 'decl'; pos: Pos; type: TypeRef; vars: Array<{ name: string; pos: Pos; init: Expr | null }> }
  | { k: 'block'; pos: Pos; body: Stmt[] }
  | { k: 'if'; pos: Pos; test: Expr; then: Stmt; else: Stmt | null }
  | { k: 'while'; pos: Pos; test: Expr; body: Stmt }
  | { k: 'do'; pos: Pos; test: Expr; body: Stmt }
  | { k: 'for'; pos: Pos; init: Stmt | null; test: Expr | null; update: Expr[]; body: Stmt }
  | { k: 'foreach'; pos: Pos; type: TypeRef; name: string; iter: Expr; body: Stmt }
  | { k: 'break'; pos: Pos }
  | { k: 'continue'; pos: Pos }
  | { k: 'return'; pos: Pos; value: Expr | null }
  | { k: 'empty'; pos: Pos };
