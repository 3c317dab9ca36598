import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError } from './config';
import { buildId, describeConnection, temporalConnectionOptions, workerIdentity } from './temporal-connection';

const API_KEY = 'tmprl-api-key-9d1c7e';
const files: Record<string, string> = {
  '/secrets/client.pem': 'CERT',
  '/secrets/client.key': 'KEY',
  '/secrets/ca.pem': 'CA',
};

function readFile(path: string): Uint8Array {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  return Buffer.from(text);
}

const options = (env: Record<string, string | undefined>) => temporalConnectionOptions(env, readFile);

describe('temporalConnectionOptions', () => {
  it('connects in plain text to TEMPORAL_ADDRESS when nothing else is set', () => {
    expect(options({ TEMPORAL_ADDRESS: ' temporal:7233 ', TEMPORAL_API_KEY: ' ', TEMPORAL_TLS_CA_PATH: '' })).toEqual({
      address: 'temporal:7233',
    });
  });

  it('uses mTLS with the client certificate pair, a private CA and a server name', () => {
    const built = options({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CERT_PATH: '/secrets/client.pem',
      TEMPORAL_TLS_KEY_PATH: '/secrets/client.key',
      TEMPORAL_TLS_CA_PATH: '/secrets/ca.pem',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.example.com',
    });
    expect(built).toEqual({
      address: 'temporal.internal:7233',
      tls: {
        clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
        serverRootCACertificate: Buffer.from('CA'),
        serverNameOverride: 'temporal.example.com',
      },
    });
    expect(describeConnection(built)).toEqual({ address: 'temporal.internal:7233', tls: true, auth: 'mtls' });
  });

  it('turns TLS on with an API key (Temporal Cloud)', () => {
    const built = options({ TEMPORAL_ADDRESS: 'westeurope.azure.api.temporal.io:7233', TEMPORAL_API_KEY: API_KEY });
    expect(built).toEqual({ address: 'westeurope.azure.api.temporal.io:7233', tls: {}, apiKey: API_KEY });
    expect(describeConnection(built)).toEqual({ address: 'westeurope.azure.api.temporal.io:7233', tls: true, auth: 'api-key' });
  });

  it('builds options both the worker and the client connection accept', () => {
    const built = options({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_API_KEY: API_KEY });
    const worker: NativeConnectionOptions = built;
    const client: ConnectionOptions = built;
    expect([worker.apiKey, client.apiKey]).toEqual([API_KEY, API_KEY]);
  });

  it.each([
    [{}, 'TEMPORAL_ADDRESS: required'],
    [{ TEMPORAL_ADDRESS: 'https://temporal:7233' }, 'TEMPORAL_ADDRESS: expected host:port, without a scheme'],
    [{ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_CERT_PATH: '/secrets/client.pem' }, 'TEMPORAL_TLS_KEY_PATH: required with TEMPORAL_TLS_CERT_PATH'],
    [{ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_KEY_PATH: '/secrets/client.key' }, 'TEMPORAL_TLS_CERT_PATH: required with TEMPORAL_TLS_KEY_PATH'],
    [{ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_CA_PATH: '/secrets/missing.pem' }, 'TEMPORAL_TLS_CA_PATH: cannot read /secrets/missing.pem (ENOENT)'],
  ])('throws a ConfigError naming the variable for %j', (env, message) => {
    expect(() => options(env)).toThrow(ConfigError);
    expect(() => options(env)).toThrow(message);
  });

  it('refuses an API key together with a client certificate, without printing the key', () => {
    const attempt = () =>
      options({
        TEMPORAL_ADDRESS: 't:7233',
        TEMPORAL_API_KEY: API_KEY,
        TEMPORAL_TLS_CERT_PATH: '/secrets/client.pem',
        TEMPORAL_TLS_KEY_PATH: '/secrets/client.key',
      });
    expect(attempt).toThrow('TEMPORAL_API_KEY: set either an API key or a client certificate');
    expect(attempt).toThrow(expect.objectContaining({ message: expect.not.stringContaining(API_KEY) }));
  });
});

describe('workerIdentity', () => {
  it('is WORKER_IDENTITY when set, else goaudits-worker@<host>/<pid>', () => {
    expect(workerIdentity({ WORKER_IDENTITY: 'ca-goaudits-worker--r1' }, 'host', 7)).toBe('ca-goaudits-worker--r1');
    expect(workerIdentity({ WORKER_IDENTITY: ' ' }, 'ca-goaudits-worker--r1-5d8f', 7)).toBe('goaudits-worker@ca-goaudits-worker--r1-5d8f/7');
  });
});

describe('buildId', () => {
  it('is WORKER_BUILD_ID when set, else the version plus the short GIT_SHA when there is one', () => {
    expect(buildId({ WORKER_BUILD_ID: '2026.11.27-1', GIT_SHA: 'abc' }, '0.1.0')).toBe('2026.11.27-1');
    expect(buildId({ GIT_SHA: '9db971a5e0c4d2b7f1a3' }, '0.1.0')).toBe('0.1.0+9db971a');
    expect(buildId({ GIT_SHA: '' }, '0.1.0')).toBe('0.1.0');
  });

  it("defaults to this package's version", () => {
    expect(buildId({})).toBe(require('../package.json').version);
  });
});
