import { describe, expect, it } from 'vitest';
import type { ScriptContext } from '../../src/script/types.ts';
import { createTemplateEngine } from '../../src/templates/engine.ts';
import { buildTemplateView } from '../../src/templates/view.ts';

const ctx: ScriptContext = {
  data: { hits: { total: { value: 3 } } },
  watch: { id: 'disk', tenant: '_main' },
  trigger: {
    scheduled_time: '2024-05-01T10:00:00.000Z',
    triggered_time: '2024-05-01T10:00:00.120Z',
    previous_scheduled_time: null,
    next_scheduled_time: '2024-05-01T10:01:00.000Z',
  },
  execution_time: '2024-05-01T10:00:00.150Z',
  severity: { level: { id: 'error', name: 'Error', level: 3 }, value: 97.5, threshold: 95 },
};

const engine = createTemplateEngine();
const render = (src: string, view: object) => engine.compile(src, 'plain').render(view);

describe('buildTemplateView', () => {
  it('exposes the Signals template variables', () => {
    const view = buildTemplateView(ctx, { ack_watch_link: 'https://v.test/ack/disk', ack_action_link: 'https://v.test/ack/disk/mail' });
    const r = render(
      '{{watch.id}}/{{watch.tenant}} {{data.hits.total.value}} {{trigger.scheduled_time}} {{trigger.triggered_time}} ' +
        '{{trigger.next_scheduled_time}} {{execution_time}} {{severity.level.id}} {{severity.level.name}} ' +
        '{{severity.level.level}} {{severity.value}} {{severity.threshold}} {{ack_watch_link}} {{ack_action_link}}',
      view,
    );
    expect(r.missing).toEqual([]);
    expect(r.text).toBe(
      'disk/_main 3 2024-05-01T10:00:00.000Z 2024-05-01T10:00:00.120Z 2024-05-01T10:01:00.000Z ' +
        '2024-05-01T10:00:00.150Z error Error 3 97.5 95 https://v.test/ack/disk https://v.test/ack/disk/mail',
    );
  });

  it('renders a null previous_scheduled_time empty without calling it missing', () => {
    expect(render('[{{trigger.previous_scheduled_time}}]', buildTemplateView(ctx))).toEqual({ text: '[]', missing: [] });
  });

  it('leaves absent parts out so using them is reported missing', () => {
    const r = render('{{item.x}}{{resolved.data.a}}{{ack_watch_link}}{{severity.level.id}}', buildTemplateView({ ...ctx, severity: null }));
    expect(r.text).toBe('');
    expect(r.missing).toEqual(['item.x', 'resolved.data.a', 'ack_watch_link', 'severity.level.id']);
  });

  it('includes item and resolved when present', () => {
    const view = buildTemplateView({
      ...ctx,
      item: { host: 'h1' },
      resolved: { data: { a: 1 }, severity: { level: { id: 'warning', name: 'Warning', level: 2 }, value: 5, threshold: 4 }, trigger: {} },
    });
    expect(render('{{item.host}} {{resolved.data.a}} {{resolved.severity.level.name}}', view)).toEqual({ text: 'h1 1 Warning', missing: [] });
  });

  it('shares data with the context rather than copying it', () => {
    expect(buildTemplateView(ctx).data).toBe(ctx.data);
  });
});
