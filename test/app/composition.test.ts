/**
 * buildApp is the one place the daemon is wired: the app it returns carries its REST API with every
 * route family, guarded by its own security service, ready to listen and to stop.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { QuickHasher } from '../kit/gated-hasher.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-app-');
let app: App | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
  blocker = undefined;
});

function config(listen = '127.0.0.1:0') {
  const base = tempDir();
  return loadConfig({ env: {}, overrides: { data_dir: join(base, 'data'), watches_dir: join(base, 'watches'), accounts_dir: join(base, 'accounts'), listen } });
}

describe('buildApp', () => {
  it('builds the API with every route family, protected by the app’s own security service', async () => {
    const routes: RouteOptions[] = [];
    app = await buildApp(config(), { logger: captureLogger('warn').logger, env: {}, security: { hasher: new QuickHasher() }, server: { onRoute: (r) => void routes.push(r) } });
    expect(app.auth).toBe(app.security);
    const urls = routes.map((r) => r.url);
    for (const url of ['/_vigil/health', '/metrics', '/_signals/watch/:tenant/:id', '/_plugins/_security/api/internalusers/:name', '/_signals/account/:type/:id']) {
      expect(urls).toContain(url);
    }
    expect((await app.server.inject({ method: 'GET', url: '/_vigil/health' })).statusCode).toBe(200);
    // No user exists yet: every protected family answers 401, whichever plugin registered it.
    for (const url of ['/_signals/watch/_main/_search', '/_plugins/_security/api/internalusers', '/_signals/account/webhook/x']) {
      expect((await app.server.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
    // A user added through the app's security service is who the API lets in.
    await app.security.users.putUser('kirk', { password: 'correct horse battery', roles: ['admin'] });
    const authorization = `Basic ${Buffer.from('kirk:correct horse battery').toString('base64')}`;
    expect((await app.server.inject({ method: 'GET', url: '/_signals/watch/_main/_search', headers: { authorization } })).statusCode).toBe(200);
  });

  it('takes a stand-in for authentication where a test is not about access control', async () => {
    app = await buildApp(config(), {
      logger: captureLogger('warn').logger,
      env: {},
      auth: { authenticate: async () => ({ name: 'tester', roles: [] }), authorize: () => true },
    });
    expect((await app.server.inject({ method: 'GET', url: '/_signals/watch/_main/_search' })).statusCode).toBe(200);
  });

  it('listens on config.listen and stops listening when it stops', async () => {
    app = await buildApp(config(), { logger: captureLogger('warn').logger, env: {} });
    await app.listen();
    const address = app.server.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    const res = await fetch(`http://127.0.0.1:${address.port}/_vigil/health`);
    expect(res.status).toBe(200);
    await app.stop();
    app = undefined;
    await expect(fetch(`http://127.0.0.1:${address.port}/_vigil/health`)).rejects.toThrow();
  });

  it('a taken address is LISTEN_FAILED naming it', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    app = await buildApp(config(`127.0.0.1:${port}`), { logger: captureLogger('warn').logger, env: {} });
    await expect(app.listen()).rejects.toMatchObject({ code: 'LISTEN_FAILED', message: `cannot listen on 127.0.0.1:${port}: address already in use` });
  });
});
