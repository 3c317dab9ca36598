import { ManagedIdentityCredential } from '@azure/identity';
import { azureCredential } from '../azure-credential';
import { sqlServerLanePoolConfig, sqlServerPoolConfig } from './sqlserver-connection';

const target = {
  server: 'sql-goaudits.database.windows.net',
  database: 'goaudits',
  port: 1433,
  encrypt: true,
  trustServerCertificate: false,
  poolMax: 10,
  retryBudgetMs: 90_000,
};

describe('SQL Server pool configuration', () => {
  it("signs in for Entra with a token from the process's one credential: the managed identity Key Vault uses too", () => {
    const config = sqlServerPoolConfig({ ...target, auth: 'entra', managedIdentityClientId: 'client-id' });
    expect(config).toMatchObject({
      server: target.server,
      database: 'goaudits',
      port: 1433,
      pool: { min: 0, max: 10 },
      options: { encrypt: true, trustServerCertificate: false, abortTransactionOnError: true },
      authentication: { type: 'token-credential' },
    });
    expect(config.authentication?.options).toEqual({ credential: expect.any(ManagedIdentityCredential) });
    expect((config.authentication?.options as { credential: unknown }).credential).toBe(azureCredential('client-id'));
    expect(config).not.toHaveProperty('password');
  });

  it('passes a SQL login through', () => {
    const config = sqlServerPoolConfig({ ...target, auth: 'sql-login', user: 'sa', password: 'secret' });
    expect(config).toMatchObject({ user: 'sa', password: 'secret', options: { abortTransactionOnError: true } });
    expect(config).not.toHaveProperty('authentication');
  });

  it("gives the call lane two connections of its own, checked at the socket (no SELECT 1 per call), on the store's settings", () => {
    const config = sqlServerLanePoolConfig({ ...target, auth: 'sql-login', user: 'sa', password: 'secret' });
    expect(config).toMatchObject({
      user: 'sa',
      pool: { min: 0, max: 2 },
      validateConnection: 'socket',
      options: { abortTransactionOnError: true },
    });
  });

  it("reads a connection string with mssql's parser, keeping the store's options", () => {
    const config = sqlServerPoolConfig({
      auth: 'connection-string',
      connectionString: 'Server=localhost,14330;Database=goaudits;User Id=sa;Password=secret;TrustServerCertificate=true',
      poolMax: 3,
      retryBudgetMs: 90_000,
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
