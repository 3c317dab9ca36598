import { z } from 'zod';
import { blankIsUnset } from '../../shared/blank-is-unset';
import { SQLSERVER_RETRY_BUDGET_MS } from './sqlserver-retry';

/**
 * Where and how the SQL Server store connects, read from the legacy jobs' variables (SQL_SERVER,
 * SQL_DATABASE, AZURE_CLIENT_ID) and a few new ones. Entra (the worker's managed identity) is
 * the default; a SQL login or a whole connection string serve local use.
 */

interface SqlServerTarget {
  server: string;
  database: string;
  port: number;
  encrypt: boolean;
  trustServerCertificate: boolean;
  poolMax: number;
  /** How long a unit of work (and the store's start) is tried again after transient errors: past a failover. */
  retryBudgetMs: number;
}

export type SqlServerConfig =
  /** SQL_CONNECTION_STRING, which overrides every other SQL_ variable but SQL_POOL_MAX and SQL_RETRY_BUDGET_SECONDS. */
  | { auth: 'connection-string'; connectionString: string; poolMax: number; retryBudgetMs: number }
  /** A token from DefaultAzureCredential; the user-assigned identity's client id when given. */
  | (SqlServerTarget & { auth: 'entra'; managedIdentityClientId: string | undefined })
  | (SqlServerTarget & { auth: 'sql-login'; user: string; password: string });

/** The SQL Server variables do not parse. The message names each variable, never a secret's value. */
export class SqlServerConfigError extends Error {
  override readonly name = 'SqlServerConfigError';
}

const text = z.preprocess(blankIsUnset, z.string().optional());
const whole = (min: number, max: number, fallback: number) =>
  z.preprocess(blankIsUnset, z.coerce.number().int().min(min).max(max).default(fallback));
const flag = (fallback: boolean) =>
  z
    .preprocess(blankIsUnset, z.enum(['true', 'false'], { error: 'expected true or false' }).optional())
    .transform((value) => (value === undefined ? fallback : value === 'true'));

const sqlServerEnvironment = z.object({
  SQL_SERVER: text,
  SQL_DATABASE: text,
  SQL_AUTH: z.preprocess(blankIsUnset, z.enum(['entra', 'sql-login'], { error: 'expected entra or sql-login' }).default('entra')),
  SQL_USER: text,
  SQL_PASSWORD: text,
  SQL_CONNECTION_STRING: text,
  AZURE_CLIENT_ID: text,
  SQL_PORT: whole(1, 65_535, 1433),
  SQL_POOL_MAX: whole(1, 100, 10),
  SQL_ENCRYPT: flag(true),
  SQL_TRUST_SERVER_CERTIFICATE: flag(false),
  SQL_RETRY_BUDGET_SECONDS: whole(0, 600, SQLSERVER_RETRY_BUDGET_MS / 1000),
});

/** Each problem as `VARIABLE: what is wrong`; zod's messages do not repeat the value. */
const problem = (variable: string, message: string) => `${variable}: ${message}`;

/**
 * The SQL Server store's configuration, or undefined when neither SQL_SERVER nor
 * SQL_CONNECTION_STRING is set (the embedded SQLite store is used then).
 */
export function sqlServerConfigFromEnvironment(env: NodeJS.ProcessEnv): SqlServerConfig | undefined {
  const parsed = sqlServerEnvironment.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => problem(issue.path.join('.'), issue.message));
    throw new SqlServerConfigError(`bad SQL Server configuration: ${issues.join('; ')}`);
  }
  const vars = parsed.data;
  if (vars.SQL_CONNECTION_STRING) {
    return {
      auth: 'connection-string',
      connectionString: vars.SQL_CONNECTION_STRING,
      poolMax: vars.SQL_POOL_MAX,
      retryBudgetMs: vars.SQL_RETRY_BUDGET_SECONDS * 1000,
    };
  }
  if (!vars.SQL_SERVER) return undefined;

  const problems: string[] = [];
  /** The variable's value; a problem, and '', when it is unset. */
  const required = (variable: 'SQL_DATABASE' | 'SQL_USER' | 'SQL_PASSWORD', when: string): string => {
    const value = vars[variable];
    if (value === undefined) problems.push(problem(variable, `required when ${when}`));
    return value ?? '';
  };
  const database = required('SQL_DATABASE', 'SQL_SERVER is set');
  const login =
    vars.SQL_AUTH === 'sql-login'
      ? { user: required('SQL_USER', 'SQL_AUTH is sql-login'), password: required('SQL_PASSWORD', 'SQL_AUTH is sql-login') }
      : undefined;
  if (problems.length > 0) throw new SqlServerConfigError(`bad SQL Server configuration: ${problems.join('; ')}`);

  const target: SqlServerTarget = {
    server: vars.SQL_SERVER,
    database,
    port: vars.SQL_PORT,
    encrypt: vars.SQL_ENCRYPT,
    trustServerCertificate: vars.SQL_TRUST_SERVER_CERTIFICATE,
    poolMax: vars.SQL_POOL_MAX,
    retryBudgetMs: vars.SQL_RETRY_BUDGET_SECONDS * 1000,
  };
  return login ? { ...target, auth: 'sql-login', ...login } : { ...target, auth: 'entra', managedIdentityClientId: vars.AZURE_CLIENT_ID };
}
