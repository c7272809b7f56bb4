import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../src/net/read-body.ts';

/** A stream of the given chunks that counts how far it was read. */
function source(chunks: Array<string | Buffer>, opts: { fail?: Error; closeEarly?: boolean } = {}) {
  let pulled = 0;
  const stream = new Readable({
    read() {
      if (pulled < chunks.length) {
        const c = chunks[pulled++]!;
        this.push(typeof c === 'string' ? Buffer.from(c) : c);
      } else if (opts.fail) this.destroy(opts.fail);
      else if (opts.closeEarly) this.destroy();
      else this.push(null);
    },
  });
  return { stream, pulled: () => pulled };
}

describe('readBody', () => {
  it('joins the chunks as UTF-8, a character split across chunks included', async () => {
    const euro = Buffer.from('€');
    const { stream } = source(['{"a":"', euro.subarray(0, 1), euro.subarray(1), '"}']);
    expect(await readBody(stream, 1024)).toEqual({ text: '{"a":"€"}', truncated: false });
  });

  it('keeps exactly cap bytes, says truncated and stops reading', async () => {
    const chunks = Array.from({ length: 100 }, () => 'x'.repeat(10));
    const { stream, pulled } = source(chunks);
    const r = await readBody(stream, 25);
    expect(r).toEqual({ text: 'x'.repeat(25), truncated: true });
    expect(stream.destroyed).toBe(true);
    expect(pulled()).toBeLessThan(10);
  });

  it('a body of exactly cap bytes is not truncated', async () => {
    expect(await readBody(source(['12345', '67890']).stream, 10)).toEqual({ text: '1234567890', truncated: false });
  });

  it("rejects with the stream's error", async () => {
    const boom = Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
    await expect(readBody(source(['partial'], { fail: boom }).stream, 1024)).rejects.toBe(boom);
  });

  it('rejects when the stream closes before its end', async () => {
    await expect(readBody(source(['partial'], { closeEarly: true }).stream, 1024)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('an error after the cap was reached is swallowed, not thrown as uncaught', async () => {
    const { stream } = source(['x'.repeat(50)]);
    const r = await readBody(stream, 10);
    expect(r.truncated).toBe(true);
    stream.emit('error', new Error('late'));
  });
});
