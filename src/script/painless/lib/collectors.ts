/** java.util.stream.Collectors: the collectors watches use, applied eagerly to an array. */
import type { Env } from '../env.ts';
import { JDouble, Special, getKey, mkDouble, num, putKey, rtError, toJava, toKey, typeName } from '../values.ts';
import { argFn, argStr, invoke } from './table.ts';

export class JCollector extends Special {
  readonly kind = 'collector';
  readonly op: string;
  readonly args: unknown[];
  constructor(op: string, args: unknown[]) {
    super();
    this.op = op;
    this.args = args;
  }
  typeName(): string { return 'Collector'; }
  toJava(): string { return `Collectors.${this.op}`; }
}

/** Static members of `Collectors`: each returns a JCollector after checking its arguments. */
export const COLLECTORS: Record<string, { min: number; max: number }> = {
  toList: { min: 0, max: 0 }, toSet: { min: 0, max: 0 }, joining: { min: 0, max: 3 }, counting: { min: 0, max: 0 },
  groupingBy: { min: 1, max: 2 }, toMap: { min: 2, max: 3 }, summingInt: { min: 1, max: 1 },
  summingLong: { min: 1, max: 1 }, summingDouble: { min: 1, max: 1 }, averagingInt: { min: 1, max: 1 },
  averagingLong: { min: 1, max: 1 }, averagingDouble: { min: 1, max: 1 }, mapping: { min: 2, max: 2 },
};

export function collect(env: Env, items: unknown[], c: unknown): unknown {
  if (!(c instanceof JCollector)) throw rtError(`collect() expects a Collector, got [${typeName(c)}]`);
  env.step(items.length);
  const a = c.args;
  switch (c.op) {
    case 'toList':
      env.allocate(items.length);
      return items.slice();
    case 'toSet':
      env.allocate(items.length);
      return new Set(items.map((x) => (x instanceof JDouble ? x.v : x)));
    case 'joining': {
      const sep = a.length > 0 ? argStr(a[0], 'joining') : '';
      const s = (a.length > 1 ? argStr(a[1], 'joining') : '') + items.map(toJava).join(sep) + (a.length > 2 ? argStr(a[2], 'joining') : '');
      env.allocate(s.length);
      return s;
    }
    case 'counting': return items.length;
    case 'summingInt': case 'summingLong': case 'summingDouble':
    case 'averagingInt': case 'averagingLong': case 'averagingDouble': {
      const f = argFn(a[0], c.op);
      let t = 0;
      for (const x of items) {
        const n = num(invoke(env, f, x));
        if (n === undefined) throw rtError(`${c.op} function must return a number`);
        t += n;
      }
      if (c.op.startsWith('averaging')) return mkDouble(items.length ? t / items.length : 0);
      return c.op === 'summingDouble' ? mkDouble(t) : t;
    }
    case 'mapping': {
      const f = argFn(a[0], 'mapping');
      return collect(env, items.map((x) => invoke(env, f, x)), a[1]);
    }
    case 'groupingBy': {
      const f = argFn(a[0], 'groupingBy');
      const groups = new Map<string, unknown[]>();
      for (const x of items) {
        const k = toKey(invoke(env, f, x));
        const g = groups.get(k);
        if (g) g.push(x);
        else groups.set(k, [x]);
      }
      const out: Record<string, unknown> = {};
      for (const [k, g] of groups) putKey(out, k, a.length > 1 ? collect(env, g, a[1]) : g);
      env.allocate(items.length);
      return out;
    }
    case 'toMap': {
      const kf = argFn(a[0], 'toMap'), vf = argFn(a[1], 'toMap');
      const merge = a.length > 2 ? argFn(a[2], 'toMap') : null;
      const out: Record<string, unknown> = {};
      for (const x of items) {
        const k = toKey(invoke(env, kf, x));
        const v = invoke(env, vf, x);
        if (Object.hasOwn(out, k)) {
          if (!merge) throw rtError(`duplicate key [${k}] in toMap (IllegalStateException)`);
          putKey(out, k, invoke(env, merge, getKey(out, k), v));
        } else {
          putKey(out, k, v);
        }
      }
      env.allocate(items.length);
      return out;
    }
  }
  throw rtError(`unknown collector ${c.op}`);
}
