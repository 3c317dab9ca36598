import { accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import type { TLSConfig } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { version } from '../package.json';
import { ConfigError } from './config-error';

/** What both `NativeConnection.connect` (the worker) and `Connection.connect` (the client) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: NativeConnectionOptions['metadata'];
}

/** A Temporal to connect to, and the namespace to work in there. */
export interface TemporalConnection {
  options: TemporalConnectionOptions;
  namespace: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** This release's own names, still read (with a warning) for one more release, and the standard names that replace them. */
export const DEPRECATED_TEMPORAL_VARIABLES = {
  TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA_PATH: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

/** The standard variables naming files the connection reads. */
const FILE_VARIABLES = [
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
] as const;

/**
 * Whether a Temporal is configured (else the embedded dev server runs): TEMPORAL_ADDRESS, or a
 * profile asked for by TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE. A `temporal.toml` in the default
 * place alone does not count: `npm start` must never reach a cluster nobody named for it.
 */
export function usesConfiguredTemporal(env: Env = process.env): boolean {
  return Boolean(env.TEMPORAL_ADDRESS?.trim() || env.TEMPORAL_PROFILE?.trim() || env.TEMPORAL_CONFIG_FILE?.trim());
}

/**
 * The Temporal connection the standard way (`@temporalio/envconfig`, as the Temporal CLI and the
 * other SDKs read it): the profile named by TEMPORAL_PROFILE (default `default`) of the file
 * TEMPORAL_CONFIG_FILE (or of the default `temporal.toml`, when TEMPORAL_PROFILE is set), under
 * the environment's TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY (TLS on),
 * TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH (mTLS), TEMPORAL_TLS_SERVER_CA_CERT_PATH,
 * TEMPORAL_TLS_SERVER_NAME and TEMPORAL_GRPC_META_*. This release's own TLS names still work,
 * with a warning naming their replacements. Throws a ConfigError naming the variable; a key is
 * never in a message.
 */
export function temporalConnection(
  env: Env = process.env,
  warn: (message: string) => void = (message) => console.warn(message),
): TemporalConnection {
  const vars = standardVariables(env, warn);
  for (const name of FILE_VARIABLES) readable(name, vars[name]);
  if (vars.TEMPORAL_TLS_CLIENT_CERT_PATH && !vars.TEMPORAL_TLS_CLIENT_KEY_PATH)
    refuse('TEMPORAL_TLS_CLIENT_KEY_PATH', 'required with TEMPORAL_TLS_CLIENT_CERT_PATH');
  if (vars.TEMPORAL_TLS_CLIENT_KEY_PATH && !vars.TEMPORAL_TLS_CLIENT_CERT_PATH)
    refuse('TEMPORAL_TLS_CLIENT_CERT_PATH', 'required with TEMPORAL_TLS_CLIENT_KEY_PATH');
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({
      profile: vars.TEMPORAL_PROFILE,
      overrideEnvVars: vars,
      disableFile: !vars.TEMPORAL_CONFIG_FILE && !vars.TEMPORAL_PROFILE,
    });
  } catch (error) {
    refuse(vars.TEMPORAL_PROFILE ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE', error instanceof Error ? error.message : String(error));
  }
  const { address, apiKey, tls, metadata } = loaded.connectionOptions;
  if (!address) refuse('TEMPORAL_ADDRESS', 'required: host:port of the Temporal frontend (or a profile with an address)');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address) || /\s/.test(address)) refuse('TEMPORAL_ADDRESS', 'expected host:port, without a scheme');
  if (apiKey && tls && typeof tls === 'object' && tls.clientCertPair) {
    refuse('TEMPORAL_API_KEY', 'set either an API key or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH), not both');
  }
  return {
    options: {
      address,
      ...(tls == null ? {} : { tls }),
      ...(apiKey ? { apiKey } : {}),
      ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
    namespace: loaded.namespace ?? 'default',
  };
}

/** The environment with blank values dropped and this release's names moved to the standard ones. */
function standardVariables(env: Env, warn: (message: string) => void): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value?.trim()) vars[name] = value.trim();
  for (const [old, standard] of Object.entries(DEPRECATED_TEMPORAL_VARIABLES)) {
    if (!vars[old]) continue;
    if (vars[standard] && vars[standard] !== vars[old]) refuse(old, `set ${standard} only (${old} is its old name, and they differ)`);
    warn(`${old} is deprecated and will be removed in the next release: set ${standard} instead`);
    vars[standard] = vars[old];
    delete vars[old];
  }
  return vars;
}

function readable(name: string, path: string | undefined): void {
  if (!path) return;
  try {
    accessSync(path, constants.R_OK);
  } catch (cause) {
    refuse(name, `cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`);
  }
}

function refuse(name: string, message: string): never {
  throw new ConfigError(`bad Temporal connection: ${name}: ${message}`);
}

/** How the connection authenticates, for the start log line (no key, no certificate). */
export function describeConnection(options: TemporalConnectionOptions): {
  address: string;
  tls: boolean;
  auth: 'api-key' | 'mtls' | 'none';
} {
  const mtls = typeof options.tls === 'object' && Boolean(options.tls.clientCertPair);
  return { address: options.address, tls: Boolean(options.tls), auth: options.apiKey ? 'api-key' : mtls ? 'mtls' : 'none' };
}

/** The worker's identity in Temporal (pollers, activity attempts): WORKER_IDENTITY, or `goaudits-worker@<host>/<pid>`. */
export function workerIdentity(
  env: Readonly<Record<string, string | undefined>> = process.env,
  host: string = hostname(),
  pid: number = process.pid,
): string {
  return env.WORKER_IDENTITY?.trim() || `goaudits-worker@${host}/${pid}`;
}

/** Which build runs, for the start log: WORKER_BUILD_ID, or the package version plus GIT_SHA's first 7 characters (set in the image). */
export function buildId(env: Readonly<Record<string, string | undefined>> = process.env, packageVersion: string = version): string {
  const sha = env.GIT_SHA?.trim().slice(0, 7);
  return env.WORKER_BUILD_ID?.trim() || (sha ? `${packageVersion}+${sha}` : packageVersion);
}
