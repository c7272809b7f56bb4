import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { episodeKey, idempotencyKey, type NotificationId } from '../../src/runtime/keys.ts';

const n: NotificationId = { tenant: '_main', watchId: 'disk-usage', action: 'page', episodeId: 'ep-1', scheduledTime: '2025-03-01T12:00:00.000Z', item: 0, kind: 'fire' };

describe('notification keys', () => {
  it('keep the values outboxes already hold: a changed key would send a pending notification twice', () => {
    expect(idempotencyKey(n)).toBe('wXe2tjQ2Xkc8K8t8v9oBuUrlNuF0SVeo');
    expect(idempotencyKey({ tenant: 'team', watchId: 'w', action: 'a', episodeId: 'e', scheduledTime: 't', item: 3, kind: 'resolve' })).toBe('mpti8DVxng4yCL_H5I_Gvgro6OtvxhJw');
    expect(episodeKey('_main', 'disk-usage', 'page', 'ep-1')).toBe('vigil-OTT5Dp4ZUQ794cePqSqzCe61L3DOcMHw');
  });

  it('are the SHA-256 of the parts in a fixed order, NUL-separated, base64url, 32 characters', () => {
    const parts = ['notify', n.tenant, n.watchId, n.action, n.episodeId, n.scheduledTime, String(n.item), n.kind];
    expect(idempotencyKey(n)).toBe(hash('sha256', parts.join('\u0000'), 'base64url').slice(0, 32));
  });

  it('differ when any one part differs, and a shifted boundary does not collide', () => {
    const keys = new Set([
      idempotencyKey(n),
      ...(['tenant', 'watchId', 'action', 'episodeId', 'scheduledTime', 'kind'] as const).map((k) => idempotencyKey({ ...n, [k]: `${n[k]}x` })),
      idempotencyKey({ ...n, item: 1 }),
      idempotencyKey({ ...n, tenant: '_mai', watchId: 'ndisk-usage' }),
    ]);
    expect(keys.size).toBe(9);
  });
});
