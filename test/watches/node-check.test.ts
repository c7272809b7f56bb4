/**
 * Load-time checks against the node: each check and action type's reference checks (a named cluster
 * must be configured) and the registry's enabled types, reported at the field's path.
 */
import { describe, expect, it } from 'vitest';
import { checkWatchAgainstNode } from '../../src/watches/node-check.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { builtinRegistry, builtinTypes } from '../../src/registry/builtin.ts';
import { createRegistry } from '../../src/registry/registry.ts';
import { compileEnv } from '../kit/runtime.ts';
import { appKit } from '../acceptance/app-kit.ts';
import { channelKit } from '../actions/notification/kit.ts';

const search = (cluster?: string) => ({ type: 'search', name: 's', request: { indices: ['logs'] }, ...(cluster ? { cluster } : {}) });
const WATCH = {
  checks: [search('prod'), search()],
  actions: [
    { type: 'index', name: 'archive', index: 'alerts', cluster: 'archive' },
    { type: 'log', name: 'say', text: 'hi', checks: [search('prod')] },
  ],
  resolve_actions: [{ type: 'index', name: 'back', index: 'alerts' }],
};

function compile(watch: unknown) {
  const r = compileWatch(watch, { tenant: '_main', id: 'w' }, compileEnv());
  if (!r.ok) throw new Error(JSON.stringify(r.detail));
  return r.watch;
}

describe('cluster references', () => {
  it('names every cluster that is not configured, at its field, when clusters are configured', async () => {
    const w = compile(WATCH);
    const detail = await checkWatchAgainstNode(w, { accounts: null, registry: builtinRegistry(), clusters: ['default'], stored: null });
    expect(Object.keys(detail ?? {}).sort()).toEqual(['actions[0].cluster', 'actions[1].checks[0].cluster', 'checks[0].cluster']);
    expect(detail!['checks[0].cluster']![0]!.error).toContain("'prod'");
    expect(detail!['checks[0].cluster']![0]!.error).toContain('configured: default');
  });

  it('says when the cluster a check leaves unnamed (default) is not configured', async () => {
    const detail = await checkWatchAgainstNode(compile(WATCH), { accounts: null, registry: builtinRegistry(), clusters: ['prod', 'archive'], stored: null });
    expect(Object.keys(detail ?? {}).sort()).toEqual(['checks[1].cluster', 'resolve_actions[0].cluster']);
  });

  it('accepts a watch whose clusters are all configured, and checks nothing when none is configured', async () => {
    const w = compile(WATCH);
    expect(await checkWatchAgainstNode(w, { accounts: null, registry: builtinRegistry(), clusters: ['default', 'prod', 'archive'], stored: null })).toBeNull();
    expect(await checkWatchAgainstNode(w, { accounts: null, registry: builtinRegistry(), clusters: [], stored: null })).toBeNull();
  });

  it('a disabled action type is reported at its type, by the registry', async () => {
    const registry = createRegistry(builtinTypes, { disabled: ['log'] });
    const detail = await checkWatchAgainstNode(compile(WATCH), { accounts: null, registry, clusters: [], stored: null });
    expect(detail).toEqual({ 'actions[1].type': [{ error: 'action type log is disabled on this node (egress.disabled_action_types)' }] });
  });

  it('the daemon refuses such a watch when it is stored, naming the field', async () => {
    const kit = await appKit({ autoStart: false, config: { clusters: { default: { urls: ['http://127.0.0.1:9'] } } } });
    try {
      await expect(kit.app.watches.put('_main', 'w', { checks: [search('prod')] })).rejects.toMatchObject({
        code: 'INVALID_WATCH',
        detail: { 'checks[0].cluster': [expect.objectContaining({ error: expect.stringContaining("'prod'") })] },
      });
      await expect(kit.app.watches.put('_main', 'w', { checks: [search()] })).resolves.toMatchObject({ created: true });
    } finally {
      await kit.close();
    }
  });
});

describe('index names written without a template', () => {
  /** Allows `team-*` only, as a role would; names each question in its answer. */
  const access = { user: null, denied: (cluster: string, index: string, action: string) => (index.startsWith('team-') ? null : `${action} ${cluster}/${index}`) };
  const identity = { access, now: Date.parse('2026-03-15T12:00:00Z') };

  it('must be allowed to the roles the watch runs as: each denied one at its field, in checks, action checks and actions', async () => {
    const w = compile({
      checks: [{ type: 'search', name: 's', request: { indices: ['team-logs', 'other', '{{data.idx}}'] } }],
      actions: [
        { type: 'index', name: 'keep', index: '<other-{now/d}>', cluster: 'archive' },
        { type: 'log', name: 'say', text: 'x', checks: [{ type: 'search', name: 's', request: { indices: ['team-*,secrets'] } }] },
      ],
      resolve_actions: [{ type: 'index', name: 'back', index: 'team-alerts' }],
    });
    expect(await checkWatchAgainstNode(w, { accounts: null, registry: builtinRegistry(), clusters: [], stored: null, identity })).toEqual({
      'checks[0].request.indices[1]': [{ error: 'indices:data/read/search default/other' }],
      'actions[0].index': [{ error: 'indices:data/write/index archive/other-2026.03.15' }],
      'actions[1].checks[0].request.indices[0]': [{ error: 'indices:data/read/search default/secrets' }],
    });
  });

  it('are not checked when the node does not know who the watch runs as (vigil validate)', async () => {
    const w = compile({ checks: [{ type: 'search', name: 's', request: { indices: ['other'] } }] });
    expect(await checkWatchAgainstNode(w, { accounts: null, registry: builtinRegistry(), clusters: [], stored: null })).toBeNull();
  });
});

describe('channel references', () => {
  const notify = (channel: string, extra: Record<string, unknown> = {}) => ({ actions: [{ type: 'notification', name: 'n', channel, message: 'hi', ...extra }] });

  it('a notification action names its channel, not an account: `account` is refused at its path', () => {
    const r = compileWatch(notify('ops', { account: 'ops' }), { tenant: '_main', id: 'w' }, compileEnv());
    expect(r.ok).toBe(false);
    expect(Object.keys((r as { detail: object }).detail)).toEqual(['actions[0].account']);
    expect(compile(notify('ops')).channelRefs).toEqual([{ id: 'ops', path: 'actions[0].channel', actionPath: 'actions[0]' }]);
  });

  it('the channel must be one account of a channel type enabled here; a disabled one still loads', async () => {
    const kit = await channelKit();
    const check = (channel: string, registry = kit.registry) => checkWatchAgainstNode(compile(notify(channel)), { accounts: kit.accounts, registry, clusters: [], stored: null });
    try {
      expect((await check('ops'))!['actions[0].channel']![0]!.error).toContain("no channel 'ops'");
      await kit.accounts.put('slack', 'ops', { url: 'https://hooks.slack.com/services/T/B/x' });
      expect(await check('ops')).toBeNull();
      await kit.accounts.put('slack', 'ops', { url: 'https://hooks.slack.com/services/T/B/x', enabled: false });
      expect(await check('ops')).toBeNull();
      expect((await check('ops', createRegistry(builtinTypes, { disabled: ['slack'] })))!['actions[0].channel']![0]!.error).toContain('slack is disabled');
      await kit.accounts.put('webhook', 'ops', { url: 'https://hooks.example.com/' });
      expect((await check('ops'))!['actions[0].channel']![0]!.error).toContain('slack/ops and webhook/ops');
      // An account of a type that is not a channel type does not count (jira has no channel format).
      await kit.accounts.put('jira', 'tickets', { url: 'https://jira.example.com', user_name: 'u', auth_token: 't' });
      expect((await check('tickets'))!['actions[0].channel']![0]!.error).toContain("no channel 'tickets'");
      expect((await checkWatchAgainstNode(compile(notify('ops')), { accounts: null, registry: kit.registry, clusters: [], stored: null }))!['actions[0].channel']![0]!.error).toContain('no master key');
    } finally {
      await kit.close();
    }
  });
});
