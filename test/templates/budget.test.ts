/** Template budgets: output, work and time are bounded per render, and the error names the field. */
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { createTemplateEngine, DEFAULT_TEMPLATE_LIMITS } from '../../src/templates/engine.ts';
import { cpuMs } from '../kit/cpu-time.ts';

const items = Array.from({ length: 100 }, (_, i) => ({ n: i, name: `item-${i}` }));
const BOMB =
  '{{#data.items}}{{#data.items}}{{#data.items}}{{#data.items}}<td>{{name}} {{n}}</td>{{/data.items}}{{/data.items}}{{/data.items}}{{/data.items}}';

/** Only the step and output limits count: the clock never moves. */
const noClock = { maxMillis: 1, now: () => 0 };

function failure(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    return e as VigilError;
  }
  throw new Error('expected the render to fail');
}

/** An array that counts how many of its items a render visited. */
function counted<T>(list: T[]): { list: T[]; visited: () => number } {
  let n = 0;
  const list2 = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) n++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list: list2, visited: () => n };
}

describe('template budgets', () => {
  it('stops four nested sections over 100 items at the output limit, naming the field and the section', () => {
    const engine = createTemplateEngine({ limits: noClock });
    const t = engine.compile(BOMB, 'html', () => 'actions[0].html_body');
    const e = failure(() => t.render({ data: { items } }));
    expect(e.code).toBe('TEMPLATE_BUDGET_EXCEEDED');
    expect(e.message).toBe(
      `actions[0].html_body: template output exceeds its limit of ${DEFAULT_TEMPLATE_LIMITS.maxAlloc} characters (in section {{#data.items}})`,
    );
  });

  it('stops nested sections that write nothing on the step budget', () => {
    const quiet = '{{#data.items}}{{#data.items}}{{#data.items}}{{#data.items}}{{/data.items}}{{/data.items}}{{/data.items}}{{/data.items}}';
    const e = failure(() => createTemplateEngine({ limits: noClock }).compile(quiet, 'plain').render({ data: { items } }));
    expect(e.message).toBe(
      `template rendering exceeds its budget of ${DEFAULT_TEMPLATE_LIMITS.maxSteps} steps (tags × section items) (in section {{#data.items}})`,
    );
  });

  it('stops at the output limit as soon as it is crossed, not after the output was built', () => {
    const engine = createTemplateEngine({ limits: { ...noClock, maxAlloc: 10_000, maxSteps: 1e12 } });
    const many = counted(Array.from({ length: 1_000_000 }, (_, i) => `value-${i}`));
    const e = failure(() => engine.compile('{{#data.l}}{{.}},{{/data.l}}', 'plain').render({ data: { l: many.list } }));
    expect(e.message).toMatch(/^template output exceeds its limit of 10000 characters \(in section \{\{#data\.l\}\}\)$/);
    // About 10 000 / 13 characters an item were rendered, not a million.
    expect(many.visited()).toBeLessThan(2000);
  });

  it('refuses a huge value before serialising it', () => {
    let serialised = false;
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ k: `v${i}` }));
    Object.defineProperty(huge, 'toJSON', { value: () => ((serialised = true), 'x') });
    const engine = createTemplateEngine({ limits: { maxAlloc: 50_000 } });
    const e = failure(() => engine.compile('{{data.huge}}', 'json').render({ data: { huge } }));
    expect(e.message).toMatch(/output exceeds its limit of 50000/);
    expect(serialised).toBe(false);
  });

  it('stops on the time backstop', () => {
    let t = 0;
    const engine = createTemplateEngine({ limits: { maxSteps: 1e12, maxAlloc: 1e12, maxMillis: 3, now: () => t++ } });
    const e = failure(() => engine.compile(BOMB, 'plain').render({ data: { items } }));
    expect(e.message).toMatch(/time budget of 3 ms/);
  });

  it('with the default limits the bomb stops within 100 ms of CPU time', () => {
    const t = createTemplateEngine().compile(BOMB, 'html');
    expect(failure(() => t.render({ data: { items } })).code).toBe('TEMPLATE_BUDGET_EXCEEDED');
    expect(cpuMs(() => t.render({ data: { items } }))).toBeLessThan(100);
  });

  it('a render can have its own output limit', () => {
    const t = createTemplateEngine().compile('{{#data.l}}{{.}}{{/data.l}}', 'plain');
    const view = { data: { l: ['aaaa', 'bbbb', 'cccc'] } };
    expect(t.render(view, { maxOutputChars: 12 }).text).toBe('aaaabbbbcccc');
    expect(failure(() => t.render(view, { maxOutputChars: 11 })).message).toMatch(/limit of 11 characters/);
  });

  it('leaves ordinary renders alone: a thousand-row HTML table', () => {
    const hits = Array.from({ length: 1000 }, (_, i) => ({ _source: { host: `h${i}`, msg: `disk full on /var ${i}`, tags: ['a', 'b'] } }));
    const src = '<table>{{#data.hits}}<tr><td>{{_source.host}}</td><td>{{_source.msg}}</td><td>{{#_source.tags}}{{.}} {{/_source.tags}}</td></tr>{{/data.hits}}</table>';
    const r = createTemplateEngine({ limits: noClock }).compile(src, 'html').render({ data: { hits } });
    expect(r.text).toContain('<tr><td>h999</td>');
  });

  it('refuses sections nested deeper than 64 levels when compiling', () => {
    const deep = (n: number) => '{{#a}}'.repeat(n) + 'x' + '{{/a}}'.repeat(n);
    expect(createTemplateEngine().compile(deep(64), 'plain').render({ a: true }).text).toBe('x');
    const e = failure(() => createTemplateEngine().compile(deep(65), 'plain'));
    expect(e.code).toBe('TEMPLATE_COMPILE_ERROR');
    expect(e.message).toMatch(/nested deeper than 64/);
  });
});
