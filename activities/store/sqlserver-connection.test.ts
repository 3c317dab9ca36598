import { DefaultAzureCredential } from '@azure/identity';
import { sqlServerPoolConfig } from './sqlserver-connection';

const target = {
  server: 'sql-goaudits.database.windows.net',
  database: 'goaudits',
  port: 1433,
  encrypt: true,
  trustServerCertificate: false,
  poolMax: 10,
};

describe('SQL Server pool configuration', () => {
  it('signs in with a token from DefaultAzureCredential for Entra', () => {
    const config = sqlServerPoolConfig({ ...target, auth: 'entra', managedIdentityClientId: 'client-id' });
    expect(config).toMatchObject({
      server: target.server,
      database: 'goaudits',
      port: 1433,
      pool: { min: 0, max: 10 },
      options: { encrypt: true, trustServerCertificate: false, abortTransactionOnError: true },
      authentication: { type: 'token-credential' },
    });
    expect(config.authentication?.options).toEqual({ credential: expect.any(DefaultAzureCredential) });
    expect(config).not.toHaveProperty('password');
  });

  it('passes a SQL login through', () => {
    const config = sqlServerPoolConfig({ ...target, auth: 'sql-login', user: 'sa', password: 'secret' });
    expect(config).toMatchObject({ user: 'sa', password: 'secret', options: { abortTransactionOnError: true } });
    expect(config).not.toHaveProperty('authentication');
  });

  it("reads a connection string with mssql's parser, keeping the store's options", () => {
    const config = sqlServerPoolConfig({
      auth: 'connection-string',
      connectionString: 'Server=localhost,14330;Database=goaudits;User Id=sa;Password=secret;TrustServerCertificate=true',
      poolMax: 3,
    });
    expect(config).toMatchObject({
      server: 'localhost',
      port: 14330,
      database: 'goaudits',
      user: 'sa',
      password: 'secret',
      pool: { max: 3 },
      options: { trustServerCertificate: true, abortTransactionOnError: true },
    });
  });
});
