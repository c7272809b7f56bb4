/**
 * A minimal webhook sink for benchmarks, run as its own process so its CPU is not charged to the
 * daemon: answers every POST with 200 and counts them; `GET /_count` returns `{"count": n}`. Unlike
 * test/kit/receivers it records nothing, so memory stays flat however long the run.
 *
 *   node bench/receiver.ts        prints {"url": "http://127.0.0.1:PORT"} once listening
 */
import { createServer } from 'node:http';
import { serveSink } from './lib/serve-sink.ts';

let count = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/_count') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count }));
    return;
  }
  req.resume();
  req.on('end', () => {
    count++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
  });
});
serveSink(server);
