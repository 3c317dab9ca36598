import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import { version } from '../package.json';
import { ConfigError } from './config';
import { describeIssues } from '../workflows/zod-issues';

/** What both `NativeConnection.connect` (the worker) and `Connection.connect` (the client) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/** Blank counts as unset (the checks below test truthiness). */
const optionalText = z.string().trim().optional();

const connectionSchema = z
  .object({
    TEMPORAL_ADDRESS: z
      .string({ error: 'required: host:port of the Temporal frontend' })
      .trim()
      .regex(/^(?![a-z][a-z0-9+.-]*:\/\/)\S+$/i, 'expected host:port, without a scheme'),
    TEMPORAL_TLS_CERT_PATH: optionalText,
    TEMPORAL_TLS_KEY_PATH: optionalText,
    TEMPORAL_TLS_CA_PATH: optionalText,
    TEMPORAL_TLS_SERVER_NAME: optionalText,
    TEMPORAL_API_KEY: optionalText,
  })
  .superRefine((env, context) => {
    const problem = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
    if (env.TEMPORAL_TLS_CERT_PATH && !env.TEMPORAL_TLS_KEY_PATH) problem('TEMPORAL_TLS_KEY_PATH', 'required with TEMPORAL_TLS_CERT_PATH');
    if (env.TEMPORAL_TLS_KEY_PATH && !env.TEMPORAL_TLS_CERT_PATH) problem('TEMPORAL_TLS_CERT_PATH', 'required with TEMPORAL_TLS_KEY_PATH');
    if (env.TEMPORAL_API_KEY && env.TEMPORAL_TLS_CERT_PATH) {
      problem('TEMPORAL_API_KEY', 'set either an API key or a client certificate (TEMPORAL_TLS_CERT_PATH), not both');
    }
  });

/**
 * The Temporal connection from the environment: TEMPORAL_ADDRESS; mTLS with
 * TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH, or TEMPORAL_API_KEY (Temporal Cloud: TLS
 * on); TEMPORAL_TLS_CA_PATH and TEMPORAL_TLS_SERVER_NAME for a private CA or a proxy; any of
 * them turns TLS on. Throws a ConfigError naming the variable; the key is never in a message.
 */
export function temporalConnectionOptions(
  env: Readonly<Record<string, string | undefined>> = process.env,
  readFile: (path: string) => Uint8Array = readFileSync,
): TemporalConnectionOptions {
  const parsed = connectionSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`bad Temporal connection: ${describeIssues(parsed.error)}`);
  }
  const vars = parsed.data;
  const file = (name: 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_TLS_CA_PATH') => {
    const path = vars[name];
    if (!path) return undefined;
    try {
      return readFile(path);
    } catch (cause) {
      throw new ConfigError(`bad Temporal connection: ${name}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? cause})`);
    }
  };

  const crt = file('TEMPORAL_TLS_CERT_PATH');
  const key = file('TEMPORAL_TLS_KEY_PATH');
  const serverRootCACertificate = file('TEMPORAL_TLS_CA_PATH');
  const serverNameOverride = vars.TEMPORAL_TLS_SERVER_NAME;
  const tls: TLSConfig = {
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    ...(serverRootCACertificate ? { serverRootCACertificate } : {}),
    ...(serverNameOverride ? { serverNameOverride } : {}),
  };
  const tlsOn = Boolean(vars.TEMPORAL_API_KEY) || Object.keys(tls).length > 0;
  return {
    address: vars.TEMPORAL_ADDRESS,
    ...(tlsOn ? { tls } : {}),
    ...(vars.TEMPORAL_API_KEY ? { apiKey: vars.TEMPORAL_API_KEY } : {}),
  };
}

/** How the connection authenticates, for the start log line (no key, no certificate). */
export function describeConnection(options: TemporalConnectionOptions): { address: string; tls: boolean; auth: 'api-key' | 'mtls' | 'none' } {
  const auth = options.apiKey ? 'api-key' : options.tls?.clientCertPair ? 'mtls' : 'none';
  return { address: options.address, tls: options.tls !== undefined, auth };
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
