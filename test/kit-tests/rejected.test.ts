import { describe, expect, it } from 'vitest';
import { rejected } from '../kit/rejected.ts';

class Wanted extends Error {}

describe('rejected', () => {
  it('returns the error a promise rejected with when it is of the type asked for', async () => {
    const e = new Wanted('why');
    expect(await rejected(Promise.reject(e), Wanted)).toBe(e);
  });

  it('fails the expectation when the promise resolves or rejects with another type', async () => {
    await expect(rejected(Promise.resolve(1), Wanted)).rejects.toThrow(/instance of/);
    await expect(rejected(Promise.reject(new Error('other')), Wanted)).rejects.toThrow(/instance of/);
  });
});
