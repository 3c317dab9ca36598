import { ConnectionPool, type config as PoolConfig } from 'mssql';
import type { SqlServerConfig } from './sqlserver-config';
import { azureCredential } from '../azure-credential';

/**
 * The store's mssql (tedious) settings. XACT_ABORT is on, so any error, a client timeout
 * included, rolls the whole transaction back on the server.
 */
const STORE_OPTIONS = { abortTransactionOnError: true, appName: 'goaudits-pipeline' };

/** A window of thousands of reports is one statement: allow it more than mssql's 15 s. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The mssql pool configuration. Entra: tedious's `token-credential` authentication asks the
 * process's one Azure credential (azure-credential.ts, shared with Key Vault) for a token: the
 * user-assigned managed identity named by AZURE_CLIENT_ID, else DefaultAzureCredential's chain.
 */
export function sqlServerPoolConfig(config: SqlServerConfig): PoolConfig {
  const pool = { min: 0, max: config.poolMax };
  if (config.auth === 'connection-string') {
    const parsed = ConnectionPool.parseConnectionString(config.connectionString);
    return {
      requestTimeout: REQUEST_TIMEOUT_MS,
      ...parsed,
      pool: { ...pool, ...parsed.pool },
      options: { ...STORE_OPTIONS, ...parsed.options },
    };
  }
  const { server, database, port, encrypt, trustServerCertificate } = config;
  const target = {
    server,
    database,
    port,
    pool,
    requestTimeout: REQUEST_TIMEOUT_MS,
    options: { ...STORE_OPTIONS, encrypt, trustServerCertificate },
  };
  if (config.auth === 'sql-login') return { ...target, user: config.user, password: config.password };
  const credential = azureCredential(config.managedIdentityClientId);
  return { ...target, authentication: { type: 'token-credential', options: { credential } } };
}

/**
 * The call lane's own connections: few (one statement per call, under the lane row's lock), apart
 * from the store's, so a lane turn never waits for a connection behind transactions that can
 * block for a minute; checked at the socket when taken from the pool, not with a `SELECT 1`
 * round trip.
 */
export function sqlServerLanePoolConfig(config: SqlServerConfig): PoolConfig {
  return { ...sqlServerPoolConfig(config), pool: { min: 0, max: LANE_POOL_MAX }, validateConnection: 'socket' };
}

export async function openSqlServerLanePool(config: SqlServerConfig): Promise<ConnectionPool> {
  return new ConnectionPool(sqlServerLanePoolConfig(config)).connect();
}

/** Connections of the call lane's pool, per worker process. */
const LANE_POOL_MAX = 2;

/** Opens a pool of connections to the configured database; the first connection is made before it resolves. */
export async function openSqlServerPool(config: SqlServerConfig): Promise<ConnectionPool> {
  return new ConnectionPool(sqlServerPoolConfig(config)).connect();
}
