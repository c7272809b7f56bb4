/**
 * Runs a benchmark sink as its own process: keep-alive long enough for a whole window, listening on an
 * OS-chosen port of 127.0.0.1, the URL printed once as `{"url": …}` (what bench/lib/procs.ts reads), and a
 * clean exit on SIGTERM or SIGINT.
 */
import type { Server } from 'node:http';

export function serveSink(server: Server): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}` }) + '\n');
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
