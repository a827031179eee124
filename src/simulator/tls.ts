/**
 * A throwaway public-key infrastructure for loopback TLS servers (tests, simulators, the demo):
 * a certificate authority, a server certificate for 127.0.0.1/localhost, a client certificate the
 * CA signed (optionally with an encrypted key), and a "stranger" client certificate signed by a
 * second CA the server does not trust. Issued with the `openssl` command-line tool into a temporary
 * directory that is removed at once; nothing is written anywhere else. The keys are generated per
 * process, never committed, and valid for 2 days.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki {
  /** The CA that signed the server and the trusted client certificate (PEM). */
  ca: string;
  server: { cert: string; key: string };
  /** Signed by `ca`: the server accepts it. */
  client: { cert: string; key: string };
  /** The same client, key encrypted with `passphrase` (AES-256). */
  encryptedClient: { cert: string; key: string; passphrase: string };
  /** Signed by another CA: the server rejects it in the TLS handshake. */
  stranger: { cert: string; key: string; ca: string };
}

let cached: TestPki | undefined;

/** True when the `openssl` CLI can be run (the PKI needs it). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Issue (once per process) the CA, server and client certificates. Throws an Error saying what is
 * missing when the `openssl` CLI is not installed.
 */
export function testPki(): TestPki {
  if (cached) return cached;
  if (!hasOpenssl())
    throw new Error('issuing test TLS certificates needs the openssl command-line tool, which was not found on PATH');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-pki-'));
  const f = (name: string) => path.join(dir, name);
  const run = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  const key = (name: string) =>
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f(name));
  const ca = (name: string, cn: string) => {
    key(`${name}.key`);
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      f(`${name}.key`),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '2',
      '-out',
      f(`${name}.crt`),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  };
  const leaf = (name: string, cn: string, caName: string, ext: string) => {
    key(`${name}.key`);
    run('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`));
    fs.writeFileSync(f(`${name}.ext`), ext);
    run(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f(`${caName}.crt`),
      '-CAkey',
      f(`${caName}.key`),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.crt`),
    );
  };
  try {
    ca('ca', 'orgsync test CA');
    ca('other-ca', 'orgsync untrusted CA');
    leaf('server', 'localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    leaf('client', 'orgsync test client', 'ca', 'extendedKeyUsage=clientAuth\n');
    leaf('stranger', 'orgsync stranger client', 'other-ca', 'extendedKeyUsage=clientAuth\n');
    const passphrase = 'orgsync-test-passphrase-7f3a';
    run('pkey', '-in', f('client.key'), '-aes256', '-passout', `pass:${passphrase}`, '-out', f('client-enc.key'));
    const read = (name: string) => fs.readFileSync(f(name), 'utf8');
    cached = {
      ca: read('ca.crt'),
      server: { cert: read('server.crt'), key: read('server.key') },
      client: { cert: read('client.crt'), key: read('client.key') },
      encryptedClient: { cert: read('client.crt'), key: read('client-enc.key'), passphrase },
      stranger: { cert: read('stranger.crt'), key: read('stranger.key'), ca: read('other-ca.crt') },
    };
    return cached;
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl could not issue the test certificates${stderr ? `: ${stderr.split('\n')[0]}` : ''}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
