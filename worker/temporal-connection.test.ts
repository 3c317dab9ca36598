import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { version } from '../package.json';
import { ConfigError, readEnvironment } from './config';
import { buildId, describeConnection, temporalConnection, usesConfiguredTemporal, workerIdentity } from './temporal-connection';

const API_KEY = 'tmprl-api-key-9d1c7e';
let dir: string;
/** A file of the test's folder, written with `text`. */
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'goaudits-connection-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const warnings: string[] = [];
const connect = (env: Record<string, string | undefined>) => temporalConnection(env, (message) => warnings.push(message));
beforeEach(() => void (warnings.length = 0));

describe('temporalConnection', () => {
  it('connects in plain text to TEMPORAL_ADDRESS when nothing else is set, in the default namespace', () => {
    expect(connect({ TEMPORAL_ADDRESS: ' temporal:7233 ', TEMPORAL_API_KEY: ' ', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '' })).toEqual({
      options: { address: 'temporal:7233' },
      namespace: 'default',
    });
  });

  it('uses mTLS with the standard variables: client certificate pair, a private CA and a server name', () => {
    const built = connect({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'goaudits',
      TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem', 'CERT'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key', 'KEY'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem', 'CA'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.example.com',
    });
    expect(built.namespace).toBe('goaudits');
    expect(built.options).toEqual({
      address: 'temporal.internal:7233',
      tls: {
        clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
        serverRootCACertificate: Buffer.from('CA'),
        serverNameOverride: 'temporal.example.com',
      },
    });
    expect(describeConnection(built.options)).toEqual({ address: 'temporal.internal:7233', tls: true, auth: 'mtls' });
    expect(warnings).toEqual([]);
  });

  it("still reads this release's own TLS names, warning once each with the standard name", () => {
    const built = connect({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CERT_PATH: file('client.pem', 'CERT'),
      TEMPORAL_TLS_KEY_PATH: file('client.key', 'KEY'),
      TEMPORAL_TLS_CA_PATH: file('ca.pem', 'CA'),
    });
    expect(describeConnection(built.options)).toMatchObject({ tls: true, auth: 'mtls' });
    expect(warnings).toEqual([
      'TEMPORAL_TLS_CERT_PATH is deprecated and will be removed in the next release: set TEMPORAL_TLS_CLIENT_CERT_PATH instead',
      'TEMPORAL_TLS_KEY_PATH is deprecated and will be removed in the next release: set TEMPORAL_TLS_CLIENT_KEY_PATH instead',
      'TEMPORAL_TLS_CA_PATH is deprecated and will be removed in the next release: set TEMPORAL_TLS_SERVER_CA_CERT_PATH instead',
    ]);
  });

  it('turns TLS on with an API key (Temporal Cloud)', () => {
    const built = connect({ TEMPORAL_ADDRESS: 'westeurope.azure.api.temporal.io:7233', TEMPORAL_API_KEY: API_KEY });
    expect(built.options).toEqual({ address: 'westeurope.azure.api.temporal.io:7233', tls: true, apiKey: API_KEY });
    expect(describeConnection(built.options)).toEqual({ address: 'westeurope.azure.api.temporal.io:7233', tls: true, auth: 'api-key' });
  });

  it('reads a profile of a temporal.toml, under the environment, with gRPC metadata', () => {
    const config = file(
      'temporal.toml',
      '[profile.default]\naddress = "local:7233"\n[profile.prod]\naddress = "goaudits.a1b2c.tmprl.cloud:7233"\nnamespace = "goaudits.a1b2c"\napi_key = "from-file"\n',
    );
    const prod = connect({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'prod', TEMPORAL_GRPC_META_X_TEAM: 'data' });
    expect(prod).toEqual({
      options: { address: 'goaudits.a1b2c.tmprl.cloud:7233', tls: true, apiKey: 'from-file', metadata: { 'x-team': 'data' } },
      namespace: 'goaudits.a1b2c',
    });
    expect(connect({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_NAMESPACE: 'other' })).toEqual({
      options: { address: 'local:7233' },
      namespace: 'other',
    });
    expect(readEnvironment({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'prod' }).TEMPORAL_NAMESPACE).toBe('goaudits.a1b2c');
  });

  it('builds options both the worker and the client connection accept', () => {
    const built = connect({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_API_KEY: API_KEY }).options;
    const worker: NativeConnectionOptions = built;
    const client: ConnectionOptions = built;
    expect([worker.apiKey, client.apiKey]).toEqual([API_KEY, API_KEY]);
  });

  it.each([
    [{}, 'TEMPORAL_ADDRESS: required'],
    [{ TEMPORAL_ADDRESS: 'https://temporal:7233' }, 'TEMPORAL_ADDRESS: expected host:port, without a scheme'],
    [
      { TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/hostname' },
      'TEMPORAL_TLS_CLIENT_KEY_PATH: required with TEMPORAL_TLS_CLIENT_CERT_PATH',
    ],
    [
      { TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_KEY_PATH: '/etc/hostname' },
      'TEMPORAL_TLS_CLIENT_CERT_PATH: required with TEMPORAL_TLS_CLIENT_KEY_PATH',
    ],
    [
      { TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/secrets/missing.pem' },
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read /secrets/missing.pem (ENOENT)',
    ],
    [{ TEMPORAL_CONFIG_FILE: '/secrets/temporal.toml' }, 'TEMPORAL_CONFIG_FILE: cannot read /secrets/temporal.toml (ENOENT)'],
    [
      { TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_CA_PATH: '/etc/hostname', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/hosts' },
      'TEMPORAL_TLS_CA_PATH: set TEMPORAL_TLS_SERVER_CA_CERT_PATH only',
    ],
  ])('throws a ConfigError naming the variable for %j', (env, message) => {
    expect(() => connect(env)).toThrow(ConfigError);
    expect(() => connect(env)).toThrow(message);
  });

  it('names a profile the file lacks', () => {
    const config = file('temporal.toml', '[profile.default]\naddress = "local:7233"\n');
    expect(() => connect({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'prod' })).toThrow("TEMPORAL_PROFILE: Profile 'prod' not found");
  });

  it('refuses an API key together with a client certificate, without printing the key', () => {
    const attempt = () =>
      connect({
        TEMPORAL_ADDRESS: 't:7233',
        TEMPORAL_API_KEY: API_KEY,
        TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem', 'CERT'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key', 'KEY'),
      });
    expect(attempt).toThrow('TEMPORAL_API_KEY: set either an API key or a client certificate');
    expect(attempt).toThrow(expect.objectContaining({ message: expect.not.stringContaining(API_KEY) }));
  });
});

describe('usesConfiguredTemporal', () => {
  it('is true with an address or a named profile or file, never for a default temporal.toml alone', () => {
    expect(usesConfiguredTemporal({ TEMPORAL_ADDRESS: 't:7233' })).toBe(true);
    expect(usesConfiguredTemporal({ TEMPORAL_PROFILE: 'prod' })).toBe(true);
    expect(usesConfiguredTemporal({ TEMPORAL_CONFIG_FILE: '/etc/temporal.toml' })).toBe(true);
    expect(usesConfiguredTemporal({ TEMPORAL_ADDRESS: ' ', HOME: '/home/operator' })).toBe(false);
  });
});

describe('workerIdentity', () => {
  it('is WORKER_IDENTITY when set, else goaudits-worker@<host>/<pid>', () => {
    expect(workerIdentity({ WORKER_IDENTITY: 'ca-goaudits-worker--r1' }, 'host', 7)).toBe('ca-goaudits-worker--r1');
    expect(workerIdentity({ WORKER_IDENTITY: ' ' }, 'ca-goaudits-worker--r1-5d8f', 7)).toBe(
      'goaudits-worker@ca-goaudits-worker--r1-5d8f/7',
    );
  });
});

describe('buildId', () => {
  it('is WORKER_BUILD_ID when set, else the version plus the short GIT_SHA when there is one', () => {
    expect(buildId({ WORKER_BUILD_ID: '2026.11.27-1', GIT_SHA: 'abc' }, '0.1.0')).toBe('2026.11.27-1');
    expect(buildId({ GIT_SHA: '9db971a5e0c4d2b7f1a3' }, '0.1.0')).toBe('0.1.0+9db971a');
    expect(buildId({ GIT_SHA: '' }, '0.1.0')).toBe('0.1.0');
  });

  it("defaults to this package's version", () => {
    expect(buildId({})).toBe(version);
  });
});
