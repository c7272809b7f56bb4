/** Small ActionType-shaped manifests and a registry factory for the accounts tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ActionType } from '../../src/actions/types.ts';
import { accountSchemas } from '../../src/actions/shared/account-schema.ts';
import { createRegistry } from '../../src/registry/registry.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { silentLogger } from '../../src/log.ts';
import { KeyRing } from '../../src/accounts/keyring.ts';
import { AccountRegistry, type AccountRegistryOptions } from '../../src/accounts/registry.ts';

function fakeType(type: string, account: ReturnType<typeof accountSchemas> | undefined): ActionType {
  return {
    type,
    params: z.object({}).strict(),
    ...(account ? { account: { ...account, required: true, destination: () => null } } : {}),
    compile: () => ({ render: () => ({ kind: 'fire', request: {}, summary: '' }) }),
    deliver: async () => ({ ok: true }),
    conformance: { params: () => ({}), overHttp: false, ...(account ? { account: { example: () => ({}), secrets: ['unused'] } } : {}) },
  };
}

export const emailType = fakeType(
  'email',
  accountSchemas(
    z
      .object({
        host: z.string(),
        port: z.number().int().default(25),
        user: z.string().optional(),
        proxy_host: z.string().optional(),
        default_to: z.array(z.string()).optional(),
      })
      .strict(),
    z.object({ password: z.string().optional(), proxy_password: z.string().optional() }).strict(),
  ),
);

export const webhookType = fakeType(
  'webhook',
  accountSchemas(
    z.object({ url: z.string().url() }).strict(),
    z
      .object({
        headers: z.record(z.string(), z.string()).optional(),
        auth: z.object({ type: z.literal('basic'), username: z.string(), password: z.string() }).strict().optional(),
      })
      .strict(),
  ),
);

/** An action type without accounts: must be ignored by the registry. */
export const logType: ActionType = fakeType('log', undefined);

export const testTypes = createRegistry({ actions: [emailType, webhookType, logType], checks: [] });

export const key = (b: number) => new Uint8Array(32).fill(b);

export async function ringOf(...keys: Uint8Array[]): Promise<KeyRing> {
  return KeyRing.create(keys.map((k, i) => ({ key: k, state: i === 0 ? ('active' as const) : ('decrypt-only' as const) })));
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), 'vigil-accounts-'));
  return { dir: join(base, 'accounts'), cleanup: () => rm(base, { recursive: true, force: true }) };
}

export async function openTest(dir: string, keyring: KeyRing, extra: Partial<AccountRegistryOptions> = {}): Promise<AccountRegistry> {
  return AccountRegistry.open({ dir, keyring, types: testTypes, logger: silentLogger(), clock: new FakeClock(), ...extra });
}
