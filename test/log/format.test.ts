/**
 * Readable logs: `json` (default), `ecs` (Elastic Common Schema through Elastic's formatter) and
 * `pretty` (level names, one readable line), with redaction in each; REST requests write one access line
 * at debug and nothing at info.
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../../src/log.ts';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { vigil } from '../cli/spawn-vigil.ts';

function written(format: LogFormat): { text: () => string; logger: ReturnType<typeof createLogger> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'info', format, destination }), text: () => chunks.join('') };
}

describe('log formats', () => {
  it('json: pino lines with numeric levels and an ISO time', () => {
    const w = written('json');
    w.logger.info({ watch: 'w1', password: 'hunter2' }, 'watch loaded');
    const line = JSON.parse(w.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'watch loaded', watch: 'w1', name: 'vigil', password: '[redacted]' });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('ecs: Elastic Common Schema fields, redaction kept', () => {
    const w = written('ecs');
    w.logger.child({ component: 'api' }).warn({ watch: 'w1', token: 'abc123' }, 'cluster unreachable');
    const line = JSON.parse(w.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ 'log.level': 'warn', message: 'cluster unreachable', 'service.name': 'vigil', 'log.logger': 'vigil', component: 'api', watch: 'w1', token: '[redacted]' });
    expect(line['ecs.version']).toEqual(expect.any(String));
    expect(line['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(w.text()).not.toContain('abc123');
  });

  it('pretty: a readable line with the level name, redaction kept', () => {
    const w = written('pretty');
    w.logger.error({ watch: 'w1', secret: 's3cr3t' }, 'state store unavailable');
    const text = w.text();
    expect(text).toMatch(/ERROR.*state store unavailable/);
    expect(text).toContain('watch: "w1"');
    expect(text).not.toContain('s3cr3t');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('vigil run refuses an unknown --log-format with a one-line usage error', async () => {
    const res = await vigil(['run', '--log-format', 'xml']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("vigil run: --log-format must be one of json, pretty, ecs (got 'xml')");
  });
});

describe('access log', () => {
  const tempDir = tempDirs('vigil-log-');
  let app: App | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it.each([
    ['debug', 1],
    ['info', 0],
  ] as const)('at %s: %i line per request, never the query string', async (level, count) => {
    const base = tempDir();
    const config = loadConfig({ env: {}, overrides: { data_dir: join(base, 'data'), watches_dir: join(base, 'w'), accounts_dir: join(base, 'a'), listen: '127.0.0.1:0' } });
    const logs = captureLogger(level);
    app = await buildApp(config, { logger: logs.logger, env: {} });
    const before = logs.lines.length;
    await app.server.inject({ method: 'GET', url: '/_vigil/health/live?token=abc123' });
    const api = logs.lines.slice(before).filter((l) => l.component === 'api');
    expect(api).toHaveLength(count);
    if (count) expect(api[0]).toMatchObject({ level: 20, msg: 'request', method: 'GET', path: '/_vigil/health/live', status: 200 });
    expect(logs.text()).not.toContain('abc123');
  });
});
