import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCli } from '../worker/temporal-cli';

/**
 * The worker reaches Temporal over TLS with the system's trust store only (as it will in the
 * image, whose CA certificates the Dockerfile installs): a TLS endpoint with a private CA in
 * front of a dev server, that CA added to the trust store as an operator would, and the same
 * connection failing, clearly, with an empty store.
 */
jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
let proxy: Server;
let dir: string;

/** A private CA and a certificate for localhost signed by it. */
function makeCertificates(into: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: into, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=goaudits test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(into, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'goaudits-tls-'));
  makeCertificates(dir);
  env = await TestWorkflowEnvironment.createLocal({ server: { executable: temporalCli(), ip: '127.0.0.1' } });
  const [host, port] = env.address.split(':');
  // TLS outside, the dev server's plaintext HTTP/2 inside: the connection negotiates h2 by ALPN.
  proxy = createServer(
    { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')), ALPNProtocols: ['h2'] },
    (socket) => {
      const upstream = connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      const close = () => (socket.destroy(), upstream.destroy());
      socket.on('error', close);
      upstream.on('error', close);
    },
  );
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The worker's connection in a child process with this trust store; its one line of output.
 * (Asynchronous: the TLS endpoint runs in this process.)
 */
function connectWith(trust: { SSL_CERT_FILE: string; SSL_CERT_DIR: string }): Promise<string> {
  const address = `localhost:${(proxy.address() as AddressInfo).port}`;
  const tsx = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const env = { PATH: process.env.PATH, TEMPORAL_ADDRESS: address, TEMPORAL_TLS_SERVER_NAME: 'localhost', ...trust };
  return new Promise((resolve) => {
    execFile(tsx, [join(__dirname, 'fixtures', 'connect-over-tls.ts')], { env, timeout: 60_000 }, (_error, stdout) =>
      resolve(stdout.trim()),
    );
  });
}

test('connects over TLS when the CA is in the system trust store', async () => {
  expect(await connectWith({ SSL_CERT_FILE: join(dir, 'ca.pem'), SSL_CERT_DIR: join(dir, 'no-such-dir') })).toBe('connected');
});

test('fails, naming the certificate problem, when the trust store lacks it', async () => {
  const output = await connectWith({ SSL_CERT_FILE: join(dir, 'no-such-file.pem'), SSL_CERT_DIR: join(dir, 'no-such-dir') });
  expect(output).toMatch(/^failed: /);
  expect(output).toMatch(/cert|trust|issuer|NativeCertsNotFound/i);
});
