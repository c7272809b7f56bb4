import { expect } from 'vitest';

/**
 * Awaits `p`, expects it to reject with an instance of `type` (a resolve fails the expectation), and
 * returns that error so the test can check its kind, code or message.
 */
export async function rejected<E extends Error>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(type);
  return e as E;
}
