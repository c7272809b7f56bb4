import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { createTemplateEngine } from '../../src/templates/engine.ts';
import type { EscapeMode } from '../../src/templates/types.ts';

const engine = createTemplateEngine();
const render = (source: string, view: object, mode: EscapeMode = 'plain') => engine.compile(source, mode).render(view);
const text = (source: string, view: object, mode: EscapeMode = 'plain') => render(source, view, mode).text;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof VigilError ? e.code : `not a VigilError: ${String(e)}`;
  }
  return undefined;
}

describe('values', () => {
  const view = {
    data: { s: 'hi', n: 10, f: 2.5, t: true, z: null, o: { a: [1, 'x'] }, l: [1, 2], hits: { hits: [{ _source: { x: 'X' } }] } },
  };

  it('renders strings, numbers and booleans as in JSON', () => {
    expect(text('{{data.s}} {{data.n}} {{data.f}} {{data.t}}', view)).toBe('hi 10 2.5 true');
  });

  it('renders objects and arrays as JSON text', () => {
    expect(text('{{data.o}}|{{data.l}}', view)).toBe('{"a":[1,"x"]}|[1,2]');
  });

  it('renders null as empty without reporting it missing', () => {
    expect(render('[{{data.z}}]', view)).toEqual({ text: '[]', missing: [] });
  });

  it('follows array index paths', () => {
    expect(text('{{data.hits.hits.0._source.x}}', view)).toBe('X');
  });

  it('supports length on strings and arrays through dotted names', () => {
    expect(text('{{data.s.length}} {{data.l.length}}', view)).toBe('2 2');
  });

  it('renders a template without tags as itself', () => {
    expect(render('no tags here', view)).toEqual({ text: 'no tags here', missing: [] });
    expect(render('', view)).toEqual({ text: '', missing: [] });
  });
});

describe('missing variables', () => {
  const view = { data: { hits: { hits: [{ _source: { x: 1 } }] }, list: [{ a: 1 }, { b: 2 }] } };

  it('renders empty and lists the dotted path', () => {
    expect(render('a{{data.hits.hits.0._source.nope}}b', view)).toEqual({
      text: 'ab',
      missing: ['data.hits.hits.0._source.nope'],
    });
  });

  it('lists each missing path once, in order of first use', () => {
    expect(render('{{x.y}}{{data.q}}{{x.y}}', view).missing).toEqual(['x.y', 'data.q']);
  });

  it('reports an index beyond the array as missing', () => {
    expect(render('{{data.hits.hits.5._source.x}}', view).missing).toEqual(['data.hits.hits.5._source.x']);
  });

  it('reports a missing section name but not a missing inverted-section name', () => {
    const r = render('{{#data.none}}x{{/data.none}}{{^data.gone}}empty{{/data.gone}}', view);
    expect(r).toEqual({ text: 'empty', missing: ['data.none'] });
  });

  it('reports names inside sections as written, when no frame has them', () => {
    const r = render('{{#data.list}}[{{a}}]{{/data.list}}', view);
    expect(r.text).toBe('[1][]');
    expect(r.missing).toEqual(['a']);
  });

  it('does not resolve inherited members or call functions', () => {
    const r = render('{{data.constructor}}|{{data.toString}}|{{#data.constructor.constructor}}return 1{{/data.constructor.constructor}}|{{data.__proto__}}', view);
    expect(r.text).toBe('|||');
    expect(r.missing).toEqual(['data.constructor', 'data.toString', 'data.constructor.constructor', 'data.__proto__']);
  });

  it('treats a function in the view as missing rather than calling it', () => {
    let called = false;
    const r = render('{{f}}', { f: () => { called = true; return 'x'; } });
    expect(r).toEqual({ text: '', missing: ['f'] });
    expect(called).toBe(false);
  });
});

describe('sections', () => {
  it('iterates arrays and resolves names against the item, then outer frames', () => {
    const view = { watch: { id: 'w1' }, data: { hits: [{ id: 'a' }, { id: 'b' }] } };
    expect(text('{{#data.hits}}{{id}}@{{watch.id}};{{/data.hits}}', view)).toBe('a@w1;b@w1;');
  });

  it('renders {{.}} for arrays of scalars', () => {
    expect(text('{{#l}}<{{.}}>{{/l}}', { l: ['x', 'y'] })).toBe('<x><y>');
  });

  it('pushes objects, keeps the frame for true, skips falsy values and empty arrays', () => {
    const view = { o: { k: 'v' }, t: true, f: false, zero: 0, empty: [], k: 'outer' };
    expect(text('{{#o}}{{k}}{{/o}}|{{#t}}{{k}}{{/t}}|{{#f}}no{{/f}}{{#zero}}no{{/zero}}{{#empty}}no{{/empty}}', view)).toBe('v|outer|');
  });

  it('renders inverted sections for falsy values and empty arrays', () => {
    const view = { f: false, empty: [], l: [1] };
    expect(text('{{^f}}a{{/f}}{{^empty}}b{{/empty}}{{^l}}c{{/l}}', view)).toBe('ab');
  });

  it('does not resolve a plain name on a primitive item (as mustache.js)', () => {
    expect(text('{{#l}}{{length}}{{/l}}', { l: ['abc'], length: 'L' })).toBe('L');
  });

  it('honours comments and delimiter changes', () => {
    expect(text('{{! a comment }}{{=<% %>=}}<% x %>', { x: 'y' })).toBe('y');
  });
});

describe('escaping', () => {
  const evil = '</p><script>alert(1)</script>"\n{';
  const view = { data: { msg: evil, o: { q: 'a"b' } } };

  it('html: escapes values, leaves the template text alone', () => {
    const out = text('<p>{{data.msg}}</p>', view, 'html');
    expect(out).toBe('<p>&lt;&#x2F;p&gt;&lt;script&gt;alert(1)&lt;&#x2F;script&gt;&quot;\n{</p>');
    expect(out).not.toContain('<script>');
  });

  it('html: escapes the same characters as mustache.js, leaving others alone', () => {
    expect(text('{{v}}', { v: `a&b<c>d"e'f/g\`h=i é😀` }, 'html')).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f&#x2F;g&#x60;h&#x3D;i é😀');
    expect(text('{{v}}', { v: 'plain text' }, 'html')).toBe('plain text');
  });

  it('html: triple mustache and {{& x}} are raw, as Mustache defines', () => {
    expect(text('{{{data.msg}}}|{{& data.msg}}', view, 'html')).toBe(`${evil}|${evil}`);
  });

  it('json: the document stays valid and the value round-trips', () => {
    const out = text('{"text": "{{data.msg}}", "o": "{{data.o}}"}', view, 'json');
    expect(JSON.parse(out)).toEqual({ text: evil, o: '{"q":"a\\"b"}' });
  });

  it('json: control characters, backslashes, U+2028/U+2029 and lone surrogates round-trip', () => {
    const nasty = 'a\\b\u0000\u0001\u001f\t\r\n\u2028\u2029\ud800x😀"\'';
    const out = text('{"v": "{{v}}"}', { v: nasty }, 'json');
    expect(out).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual({ v: nasty });
  });

  it('json: triple mustache is still JSON-escaped so the document stays valid', () => {
    const out = text('{"text": "{{{data.msg}}}", "b": "{{& data.msg}}"}', view, 'json');
    expect(JSON.parse(out)).toEqual({ text: evil, b: evil });
  });

  it('slack: JSON-safe and Slack-escaped', () => {
    const out = text('{"text": "{{data.msg}} & co"}', view, 'slack');
    const parsed = JSON.parse(out) as { text: string };
    expect(parsed.text).toBe('&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;"\n{ & co');
  });

  it('slack: triple mustache keeps Slack markup but stays JSON-safe', () => {
    const out = text('{"text": "{{{link}}}"}', { link: '<https://x.test|see "this">' }, 'slack');
    expect(JSON.parse(out)).toEqual({ text: '<https://x.test|see "this">' });
  });

  it('plain: no escaping', () => {
    expect(text('{{data.msg}}', view, 'plain')).toBe(evil);
  });

  it('the same source compiles separately per mode', () => {
    expect(text('{{v}}', { v: '<' }, 'html')).toBe('&lt;');
    expect(text('{{v}}', { v: '<' }, 'plain')).toBe('<');
  });
});

describe('header mode', () => {
  it('renders single-line values unescaped', () => {
    expect(text('Alert: {{s}} <{{a}}>', { s: 'disk "full" & <hot>', a: 'ops@x.test' }, 'header')).toBe(
      'Alert: disk "full" & <hot> <ops@x.test>',
    );
  });

  for (const [label, value] of [['CRLF', 'Hi\r\nBcc: victim@x'], ['LF', 'a\nb'], ['CR', 'a\rb']] as const) {
    it(`rejects a value with ${label}, naming the variable and not the value`, () => {
      const tpl = engine.compile('Subject {{data.subject}}', 'header');
      let err: unknown;
      try {
        tpl.render({ data: { subject: value } });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VigilError);
      expect((err as VigilError).code).toBe('INVALID_HEADER_VALUE');
      expect((err as VigilError).message).toContain('data.subject');
      expect((err as VigilError).message).not.toContain('victim');
      expect((err as VigilError).message).not.toContain(value);
    });
  }

  it('rejects CR/LF from triple mustache and from objects too', () => {
    expect(codeOf(() => text('{{{s}}}', { s: 'a\nb' }, 'header'))).toBe('INVALID_HEADER_VALUE');
    expect(codeOf(() => text('{{& s}}', { s: 'a\r\nb' }, 'header'))).toBe('INVALID_HEADER_VALUE');
    // JSON text of an object escapes its newlines, so it is single-line and allowed.
    expect(text('{{o}}', { o: { k: 'a\nb' } }, 'header')).toBe('{"k":"a\\nb"}');
  });
});

describe('compile errors', () => {
  for (const source of ['{{data.x', 'a {{#s}} b', '{{/s}}', '{{#a}}{{/b}}', '{{=<%=}}', '{{> partial}}', '{{#s}}{{> p}}{{/s}}']) {
    it(`throws TEMPLATE_COMPILE_ERROR for ${JSON.stringify(source)}`, () => {
      expect(codeOf(() => engine.compile(source, 'plain'))).toBe('TEMPLATE_COMPILE_ERROR');
    });
  }

  it('rejects an unknown mode', () => {
    expect(codeOf(() => engine.compile('x', 'xml' as EscapeMode))).toBe('TEMPLATE_COMPILE_ERROR');
  });
});

describe('cache', () => {
  it('returns the same compiled template for the same (mode, source)', () => {
    const e = createTemplateEngine();
    expect(e.compile('{{a}}', 'html')).toBe(e.compile('{{a}}', 'html'));
    expect(e.compile('{{a}}', 'html')).not.toBe(e.compile('{{a}}', 'json'));
  });

  it('evicts the least recently used entry beyond cacheSize', () => {
    const e = createTemplateEngine({ cacheSize: 2 });
    const a = e.compile('{{a}}', 'plain');
    const b = e.compile('{{b}}', 'plain');
    expect(e.compile('{{a}}', 'plain')).toBe(a); // a is now the most recent
    e.compile('{{c}}', 'plain'); // evicts b
    expect(e.compile('{{a}}', 'plain')).toBe(a);
    expect(e.compile('{{b}}', 'plain')).not.toBe(b);
  });

  it('does not cache failures, and cacheSize 0 disables caching', () => {
    const e = createTemplateEngine({ cacheSize: 0 });
    expect(e.compile('{{a}}', 'plain')).not.toBe(e.compile('{{a}}', 'plain'));
    expect(codeOf(() => e.compile('{{a', 'plain'))).toBe('TEMPLATE_COMPILE_ERROR');
    expect(codeOf(() => e.compile('{{a', 'plain'))).toBe('TEMPLATE_COMPILE_ERROR');
  });
});

describe('whole JSON documents', () => {
  it('a JSON text rendered in json mode always parses; numbers come back as strings', () => {
    const request = { size: '{{data.constants.n}}', query: { range: { ts: { gte: 'now-{{data.constants.window}}' } } }, q: '{{data.evil}}' };
    const view = { data: { constants: { n: 10, window: '5m' }, evil: '"}, "x": {"' } };
    const out = JSON.parse(text(JSON.stringify(request), view, 'json'));
    expect(out).toEqual({ size: '10', query: { range: { ts: { gte: 'now-5m' } } }, q: '"}, "x": {"' });
  });
});
