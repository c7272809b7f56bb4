/** ssl/certs shows the API certificate; ssl/http/reloadcerts swaps it without a restart, or refuses a pair that does not match. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { makeCa, makeLeaf } from '../net/pki.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

const API = '/_plugins/_security/api';

/** The common name of the certificate the API presents now. */
function servedCn(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.end();
      resolve(Array.isArray(cn) ? cn.join(',') : String(cn));
    });
    s.on('error', reject);
  });
}

describe('API certificates', () => {
  let h: Harness;
  let dir: string;
  let port: number;
  let ca: { key: string; cert: string };
  let admin: Record<string, string>;
  const files = () => ({ cert_file: join(dir, 'api.crt'), key_file: join(dir, 'api.key') });
  const install = async (p: { key: string; cert: string }) => {
    await writeFile(files().cert_file, p.cert);
    await writeFile(files().key_file, p.key);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-tls-'));
    ca = await makeCa();
    await install(await makeLeaf(ca, { cn: 'vigil-one', dns: ['localhost'], ips: ['127.0.0.1'] }));
    h = await startHarness({ tls: files() });
    await h.api.listen({ host: '127.0.0.1', port: 0 });
    port = (h.api.server.address() as AddressInfo).port;
    admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the certificate, reloads a new one, and refuses a key that does not belong to it', async () => {
    const certs = (await h.call({ method: 'GET', url: `${API}/ssl/certs`, headers: admin })).json();
    expect(certs.transport_certificates_list).toEqual([]);
    expect(certs.http_certificates_list).toEqual([{ subject_dn: 'CN=vigil-one', issuer_dn: 'CN=Vigil Net Test CA', san: 'DNS:localhost, IP Address:127.0.0.1', not_before: expect.any(String), not_after: expect.any(String) }]);
    expect(await servedCn(port, ca.cert)).toBe('vigil-one');

    const two = await makeLeaf(ca, { cn: 'vigil-two', dns: ['localhost'] });
    const three = await makeLeaf(ca, { cn: 'vigil-three', dns: ['localhost'] });
    await install({ cert: two.cert, key: three.key });
    const refused = await h.call({ method: 'PUT', url: `${API}/ssl/http/reloadcerts`, headers: admin });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/does not belong to the certificate/);
    expect(refused.body).not.toContain('PRIVATE KEY');
    expect(await servedCn(port, ca.cert)).toBe('vigil-one');

    await install(two);
    const ok = await h.call({ method: 'PUT', url: `${API}/ssl/http/reloadcerts`, headers: admin });
    expect(ok.json()).toEqual({ message: 'updated http certs' });
    expect(await servedCn(port, ca.cert)).toBe('vigil-two');
    expect((await h.call({ method: 'GET', url: `${API}/ssl/certs`, headers: admin })).json().http_certificates_list[0].subject_dn).toBe('CN=vigil-two');
  });
});
