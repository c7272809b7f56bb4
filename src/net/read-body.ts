/**
 * Reads a response body stream as UTF-8 text, keeping at most `cap` bytes. Once more arrives, the
 * stream is destroyed (undici then drops the connection), so the rest of a huge or endless body is
 * never read or buffered, and the result says `truncated`; the caller decides whether that is an
 * error (a search answer) or a note (a webhook answer).
 *
 * Listeners rather than `for await`: a stream's async iterator costs an end-of-stream watcher, a
 * promise per chunk and a tick per read, which at a thousand requests a second (the search and the
 * webhook of every run) is a noticeable share of the daemon's CPU and of what its young generation has
 * to copy.
 */
export interface BodyStream {
  on(event: 'data', fn: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  destroy(err?: Error): unknown;
}

export function readBody(stream: BodyStream, cap: number): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean) => {
      done = true;
      const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      resolve({ text: buf.toString('utf8'), truncated });
    };
    stream.on('data', (chunk) => {
      if (done) return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = cap - size;
      if (buf.length > room) {
        if (room > 0) chunks.push(buf.subarray(0, room));
        size = cap;
        finish(true);
        stream.destroy();
        return;
      }
      chunks.push(buf);
      size += buf.length;
    });
    stream.on('end', () => {
      if (!done) finish(false);
    });
    // Stays attached after the end: destroying the stream may still make it emit 'error'.
    stream.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
    stream.on('close', () => {
      if (done) return;
      done = true;
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}
