/** What a watch run reports when a script or template budget runs out: the check or field, and the limit. */
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeKit, type RuntimeKit } from '../kit/runtime.ts';

let kit: RuntimeKit;
afterEach(async () => kit?.close());

const fireAt = (k: RuntimeKit) => ({ scheduledTime: k.clock.now(), triggeredTime: k.clock.now(), previousScheduledTime: null, nextScheduledTime: null });
const items = Array.from({ length: 100 }, (_, i) => ({ n: i, name: `item-${i}` }));
const BOMB = '{{#data.items}}{{#data.items}}{{#data.items}}{{#data.items}}<{{name}} {{n}}>{{/data.items}}{{/data.items}}{{/data.items}}{{/data.items}}';

function watch(actions: unknown[], checks: unknown[] = []) {
  return {
    trigger: { schedule: { interval: '1m' } },
    checks: [{ type: 'static', name: 'items', target: 'items', value: { list: items } }, { type: 'transform', name: 'flat', lang: 'cel', source: 'data.items.list', target: 'items' }, ...checks],
    actions,
  };
}

describe('budget errors in a watch run', () => {
  it('a template bomb fails its action, naming the field and the section', async () => {
    kit = runtimeKit();
    const w = kit.compile(
      watch([
        { type: 'log', name: 'plain', text: BOMB },
        { type: 'slack', name: 'chat', account: 'team', text: `count ${BOMB}` },
        { type: 'log', name: 'fine', text: 'still here: {{data.items.length}}' },
      ]),
    );
    const rec = await kit.runner.run(w, { fire: fireAt(kit) });
    const byName = Object.fromEntries(rec.actions.map((a) => [a.name, a]));
    expect(byName.plain!.status.code).toBe('ACTION_FAILED');
    // The output limit or, on a slow machine, the time limit.
    expect(byName.plain!.error!.message).toMatch(/^render failed: actions\[0\]\.text: template (output|rendering) exceeds .* \(in section \{\{#data\.items\}\}\)$/);
    // Inside a JSON document the template is compiled from its escaped text; the field is still found.
    expect(byName.chat!.error!.message).toMatch(/^render failed: actions\[1\]\.text: template (output|rendering) exceeds/);
    expect(byName.fine!.status.code).toBe('ACTION_EXECUTED');
  });

  it('a CEL bomb fails the run with the check name and a budget message', async () => {
    kit = runtimeKit();
    const w = kit.compile(
      watch([{ type: 'log', name: 'never', text: 'x' }], [
        { type: 'condition', name: 'nested', lang: 'cel', source: 'data.items.all(a, data.items.all(b, data.items.all(c, a.n + b.n + c.n >= 0.0)))' },
      ]),
    );
    const rec = await kit.runner.run(w, { fire: fireAt(kit) });
    expect(rec.status.code).toBe('EXECUTION_FAILED');
    expect(rec.error).toMatchObject({ check: 'nested', message: expect.stringMatching(/^CEL expression exceeded its (time )?budget/) });
  });
});
