import { describe, it, expect } from 'vitest';
import { compileWatch } from '../../src/watches/compile.ts';
import { compileEnv } from '../kit/runtime.ts';

const env = compileEnv();
const base = () => ({
  trigger: { schedule: { interval: '1m' } },
  checks: [{ type: 'static', name: 's', target: 'x', value: { a: 1 } }],
  actions: [{ type: 'log', name: 'l', text: 'hi' }],
});
const detailOf = (w: unknown) => {
  const r = compileWatch(w, { tenant: '_main', id: 'w' }, env);
  if (r.ok) throw new Error('expected the watch to be invalid');
  return r.detail;
};

describe('account references', () => {
  it('an action without "account" uses the account named default when its type needs one (as Signals)', () => {
    const r = compileWatch(
      {
        ...base(),
        actions: [
          { type: 'slack', name: 's', text: 'hi' },
          { type: 'email', name: 'e', to: 'a@example.com', text_body: 'b' },
          { type: 'pagerduty', name: 'p' },
          { type: 'jira', name: 'j', project: 'OPS', issue: { type: 'Bug', summary: 's' } },
          { type: 'slack', name: 'named', account: 'team', text: 'hi' },
          { type: 'webhook', name: 'w', request: { url: 'https://x.example/' } },
        ],
      },
      { tenant: '_main', id: 'w' },
      env,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.detail));
    expect(r.watch.actions.map((a) => a.accountId)).toEqual(['default', 'default', 'default', 'default', 'team', null]);
    expect(r.watch.accountRefs.map((x) => [x.type, x.id, x.path, x.implicit])).toEqual([
      ['slack', 'default', 'actions[0].account', true],
      ['email', 'default', 'actions[1].account', true],
      ['pagerduty', 'default', 'actions[2].account', true],
      ['jira', 'default', 'actions[3].account', true],
      ['slack', 'team', 'actions[4].account', false],
    ]);
  });
});

describe('watch validation', () => {
  it('accepts a valid watch and the Signals export fields, and applies defaults', () => {
    const r = compileWatch({ ...base(), _id: 'x', _tenant: 't', _meta: { a: 1 }, _ui: {}, description: 'd' }, { tenant: '_main', id: 'w' }, env);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.watch.def.active).toBe(true);
      expect(r.watch.actions[0]!.def.ack_enabled).toBe(true);
      expect(r.watch.actions[0]!.def.foreach_limit).toBe(100);
    }
  });

  it('accepts `$schema` (the JSON Schema an editor completes from) as a string and ignores it', () => {
    expect(compileWatch({ ...base(), $schema: '../schemas/watch.schema.json' }, { tenant: '_main', id: 'w' }, env).ok).toBe(true);
    expect(Object.keys(detailOf({ ...base(), $schema: 5 }))).toEqual(['$schema']);
  });

  it('accepts `inputs` as the older name of `checks`', () => {
    const { checks, ...rest } = base();
    expect(compileWatch({ ...rest, inputs: checks }, { tenant: '_main', id: 'w' }, env).ok).toBe(true);
  });

  it('refuses check targets that cannot hold a result, with the path, in watch and action checks', () => {
    for (const target of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__']) {
      const w = base() as Record<string, any>;
      w.checks[0].target = target;
      w.checks.push({ type: 'transform', name: 't', lang: 'cel', source: '1', target });
      w.actions[0].checks = [{ type: 'static', name: 'a', target, value: { b: 1 } }];
      const d = detailOf(w);
      expect(Object.keys(d).sort(), target).toEqual(['actions[0].checks[0].target', 'checks[0].target', 'checks[1].target']);
      expect(d['checks[0].target']![0]!.error).toBe(`target "${target}" cannot hold a check result: objects reserve that name; choose another`);
    }
    // Ordinary names, `_top` and names that merely contain a reserved one are fine.
    for (const target of ['_top', 'constants', 'proto', 'my_constructor', '__proto']) {
      const w = base() as Record<string, any>;
      w.checks[0].target = target;
      expect(compileWatch(w, { tenant: '_main', id: 'w' }, env).ok, target).toBe(true);
    }
  });

  it('rejects unknown fields at every level, naming each path', () => {
    const w = base() as Record<string, any>;
    w.bogus = 1;
    w.checks[0].extra = true;
    w.actions[0].colour = 'red';
    w.trigger.schedule.sometimes = 1;
    const d = detailOf(w);
    expect(Object.keys(d).sort()).toEqual(['actions[0].colour', 'bogus', 'checks[0].extra', 'trigger.schedule.sometimes']);
    expect(d.bogus![0]!.error).toBe('unknown field');
  });

  it('names unknown check and action types with the known ones', () => {
    const w = base() as Record<string, any>;
    w.checks[0] = { type: 'sql', name: 'q' };
    w.actions[0] = { type: 'fax', name: 'f' };
    const d = detailOf(w);
    expect(d['checks[0].type']?.[0]?.error ?? d['checks[0]']?.[0]?.error).toMatch(/unknown check type "sql"; known: .*search/);
    expect(JSON.stringify(d)).toMatch(/unknown action type \\"fax\\"; known: .*webhook/);
  });

  it('reports wrong types, zero intervals, Unix cron, unknown zones and bad durations on their paths', () => {
    expect(Object.keys(detailOf({ ...base(), trigger: { schedule: { interval: '0s' } } }))[0]).toMatch(/^trigger\.schedule\.interval/);
    const unix = detailOf({ ...base(), trigger: { schedule: { cron: '*/5 * * * *' } } });
    expect(JSON.stringify(unix)).toMatch(/Quartz/);
    expect(JSON.stringify(detailOf({ ...base(), trigger: { schedule: { daily: { at: '10:00' }, timezone: 'Mars/Olympus' } } }))).toMatch(/Mars\/Olympus|time zone/i);
    expect(Object.keys(detailOf({ ...base(), throttle_period: 'soon' }))).toEqual(['throttle_period']);
    expect(Object.keys(detailOf({ ...base(), active: 'yes' }))).toEqual(['active']);
  });

  it('reports script compile errors with line and column on the script field', () => {
    const w = base() as Record<string, any>;
    w.checks.push({ type: 'condition', name: 'c', lang: 'cel', source: 'data.x >' });
    const d = detailOf(w);
    expect(Object.keys(d)).toEqual(['checks[1].source']);
    expect(d['checks[1].source']![0]!.error).toMatch(/line 1, column \d+/);
  });

  it('reports template errors on the template field', () => {
    const w = base() as Record<string, any>;
    w.actions[0].text = 'hello {{#data.x}} unclosed';
    expect(Object.keys(detailOf(w))).toEqual(['actions[0].text']);
  });

  it("applies an action type's cross-field rules in actions and resolve actions (an email needs a body and addresses)", () => {
    const email = { type: 'email', name: 'mail', account: 'ops', subject: 'x' };
    const d = detailOf({
      ...base(),
      actions: [{ ...email, to: 'not an address', text_body: 'hi' }, { ...email, name: 'nobody' }],
      severity: { value: '1', mapping: [{ threshold: 1, level: 'error' }] },
      resolve_actions: [{ ...email, name: 'back', resolves_severity: ['error'] }],
    });
    expect(Object.keys(d).sort()).toEqual(['actions[0].to', 'actions[1].text_body', 'resolve_actions[0].text_body']);
    expect(d['actions[1].text_body']![0]!.error).toMatch(/one of text_body, html_body or markdown_body is required/);
  });

  it('refuses duplicate action names and severity levels without a severity mapping', () => {
    const w = base() as Record<string, any>;
    w.actions.push({ type: 'log', name: 'l', text: 'again', severity: ['error'] });
    const d = detailOf(w);
    expect(d['actions[1].name']![0]!.error).toMatch(/already used/);
    expect(d.severity![0]!.error).toMatch(/no severity mapping/);
  });

  it('accepts fatal as critical and every trigger kind together', () => {
    const r = compileWatch({
      ...base(),
      trigger: { schedule: { interval: ['1m', '45m'], cron: ['0 0 12 ? * WED', '0 15 10 L * ?'], hourly: { minute: [0, 30] }, daily: { at: ['8', '17:30:15'] }, weekly: [{ on: 'thursday', at: '14:00' }], monthly: { on: 15, at: '14:00' }, timezone: 'Europe/Berlin', when_late: 'SKIP' } },
      severity: { value: 'data.x.a', lang: 'cel', mapping: [{ threshold: 1, level: 'fatal' }] },
    }, { tenant: '_main', id: 'w' }, env);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.watch.severity!.mapping[0]!.level).toBe('critical');
  });
});
