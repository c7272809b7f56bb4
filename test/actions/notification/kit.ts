/**
 * Channels over the real pieces: a sealed accounts registry in a temp directory (Vigil's own types, or
 * a registry a test builds), the channel-accounts lookup a delivery gets, and the test HTTP client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountRegistry } from '../../../src/accounts/registry.ts';
import { KeyRing } from '../../../src/accounts/keyring.ts';
import { createChannelAccounts } from '../../../src/delivery/channel-accounts.ts';
import type { ChannelAccounts } from '../../../src/actions/types.ts';
import type { HttpClient } from '../../../src/net/types.ts';
import { builtinRegistry } from '../../../src/registry/builtin.ts';
import type { TypeRegistry } from '../../../src/registry/registry.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';

export interface ChannelKit {
  registry: TypeRegistry;
  accounts: AccountRegistry;
  channels: ChannelAccounts;
  http: HttpClient;
  close(): Promise<void>;
}

export async function channelKit(registry: TypeRegistry = builtinRegistry()): Promise<ChannelKit> {
  const base = await mkdtemp(join(tmpdir(), 'vigil-channels-'));
  const keyring = await KeyRing.create([{ key: new Uint8Array(32).fill(7), state: 'active' }]);
  const accounts = await AccountRegistry.open({ dir: join(base, 'accounts'), keyring, types: registry, logger: silentLogger(), clock: new FakeClock() });
  const http = createTestHttpClient();
  return {
    registry,
    accounts,
    channels: createChannelAccounts({ registry, accounts, http }),
    http,
    async close() {
      await http.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}
