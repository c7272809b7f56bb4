import { describe, expect, it } from 'vitest';
import { shutAfterEach } from '../kit/shut-after-each.ts';

const shut: string[] = [];
const keep = shutAfterEach();

describe('shutAfterEach', () => {
  it('hands back what it keeps and shuts nothing during the test', () => {
    const receiver = { close: () => void shut.push('receiver closed') };
    const app = { stop: async () => void shut.push('app stopped'), close: () => void shut.push('app closed') };
    expect(keep(receiver)).toBe(receiver);
    expect(keep(app)).toBe(app);
    expect(shut).toEqual([]);
  });

  it('after the test, shut the last kept first, an app by stop', () => {
    expect(shut).toEqual(['app stopped', 'receiver closed']);
  });
});
