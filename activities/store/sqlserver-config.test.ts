import { SqlServerConfigError, sqlServerConfigFromEnvironment } from './sqlserver-config';

const secret = 'Pa55-w0rd-never-shown';

/** The message of what `read` throws. */
const thrownBy = (read: () => unknown): string => {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(SqlServerConfigError);
    return (error as Error).message;
  }
  throw new Error('nothing was thrown');
};

describe('SQL Server configuration', () => {
  it('is undefined without SQL_SERVER or SQL_CONNECTION_STRING', () => {
    expect(sqlServerConfigFromEnvironment({})).toBeUndefined();
    expect(sqlServerConfigFromEnvironment({ SQL_SERVER: '  ', SQL_DATABASE: 'goaudits' })).toBeUndefined();
  });

  it("defaults to Entra with today's variables", () => {
    expect(
      sqlServerConfigFromEnvironment({
        SQL_SERVER: 'sql-goaudits.database.windows.net',
        SQL_DATABASE: 'goaudits',
        AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      }),
    ).toEqual({
      auth: 'entra',
      server: 'sql-goaudits.database.windows.net',
      database: 'goaudits',
      port: 1433,
      encrypt: true,
      trustServerCertificate: false,
      poolMax: 10,
      retryBudgetMs: 90_000,
      managedIdentityClientId: '00000000-0000-0000-0000-000000000001',
    });
  });

  it('reads a SQL login and the connection settings', () => {
    expect(
      sqlServerConfigFromEnvironment({
        SQL_SERVER: 'localhost',
        SQL_DATABASE: 'goaudits',
        SQL_AUTH: 'sql-login',
        SQL_USER: 'sa',
        SQL_PASSWORD: secret,
        SQL_PORT: '14330',
        SQL_POOL_MAX: '4',
        SQL_ENCRYPT: 'false',
        SQL_TRUST_SERVER_CERTIFICATE: 'true',
        SQL_RETRY_BUDGET_SECONDS: '120',
      }),
    ).toEqual({
      auth: 'sql-login',
      server: 'localhost',
      database: 'goaudits',
      port: 14330,
      encrypt: false,
      trustServerCertificate: true,
      poolMax: 4,
      retryBudgetMs: 120_000,
      user: 'sa',
      password: secret,
    });
  });

  it('lets SQL_CONNECTION_STRING override the other variables', () => {
    const connectionString = `Server=localhost,1433;Database=goaudits;User Id=sa;Password=${secret}`;
    expect(sqlServerConfigFromEnvironment({ SQL_SERVER: 'elsewhere', SQL_CONNECTION_STRING: connectionString })).toEqual({
      auth: 'connection-string',
      connectionString,
      poolMax: 10,
      retryBudgetMs: 90_000,
    });
  });

  it('names every bad variable and never shows the password', () => {
    const message = thrownBy(() =>
      sqlServerConfigFromEnvironment({
        SQL_SERVER: 'localhost',
        SQL_AUTH: 'sql-login',
        SQL_PASSWORD: secret,
        SQL_PORT: secret,
        SQL_ENCRYPT: secret,
        SQL_RETRY_BUDGET_SECONDS: '601',
      }),
    );
    expect(message).toMatch(
      /^bad SQL Server configuration: SQL_PORT: .+; SQL_ENCRYPT: expected true or false; SQL_RETRY_BUDGET_SECONDS: .+$/,
    );
    expect(message).not.toContain(secret);
  });

  it('asks for what the chosen login needs, without the password', () => {
    expect(thrownBy(() => sqlServerConfigFromEnvironment({ SQL_SERVER: 'localhost', SQL_AUTH: 'sql-login', SQL_PASSWORD: secret }))).toBe(
      'bad SQL Server configuration: SQL_DATABASE: required when SQL_SERVER is set; SQL_USER: required when SQL_AUTH is sql-login',
    );
    expect(
      thrownBy(() => sqlServerConfigFromEnvironment({ SQL_SERVER: 'localhost', SQL_DATABASE: 'goaudits', SQL_AUTH: 'kerberos' })),
    ).toBe('bad SQL Server configuration: SQL_AUTH: expected entra or sql-login');
  });
});
