/**
 * Worker thread for Argon2id (and bcrypt, for hashes imported from OpenSearch). libsodium.js computes
 * `crypto_pwhash_str` synchronously (~0.7 s at 64 MiB / 3 passes on one core here), and bcryptjs is
 * synchronous too, which would freeze the daemon's event loop (scheduler, API) for the whole hash; in a
 * worker only this thread waits.
 */
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import sodium from 'libsodium-wrappers-sumo';

export type PwJob =
  | { id: number; op: 'hash'; password: string; opslimit: number; memlimit: number }
  | { id: number; op: 'verify'; hash: string; password: string };

export type PwResult = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; error: string };

await sodium.ready;
parentPort!.on('message', (job: PwJob) => {
  let out: PwResult;
  try {
    const value = job.op === 'hash'
      ? sodium.crypto_pwhash_str(job.password, job.opslimit, job.memlimit)
      : job.hash.startsWith('$2')
        ? bcrypt.compareSync(job.password, job.hash)
        : sodium.crypto_pwhash_str_verify(job.hash, job.password);
    out = { id: job.id, ok: true, value };
  } catch (e) {
    // libsodium's messages name the operation only; never the password.
    out = { id: job.id, ok: false, error: (e as Error).message };
  }
  parentPort!.postMessage(out);
});
