import { createServer, type Server } from 'node:net';
import { ConnectionPool } from 'mssql';
import { isTransientSqlServerError } from './sqlserver-retry';
import { startLoginRefusingServer } from '../../test/fake-tds-server';

/*
 * The errors the installed mssql and tedious really raise, from their own code paths: a server
 * that refuses logins as Azure SQL does during a reconfiguration (test/fake-tds-server.ts), a port
 * nobody listens on, and a server that never answers.
 */

/** Connects a real mssql pool to 127.0.0.1:port; tedious's own retries of a refused login 10 ms apart instead of 500. */
const connectTo = (port: number, connectTimeout = 15_000) =>
  new ConnectionPool({
    server: '127.0.0.1',
    port,
    user: 'goaudits-worker',
    password: 'not-a-secret',
    database: 'goaudits',
    options: { encrypt: false, connectionRetryInterval: 10, connectTimeout },
  })
    .connect()
    .then(
      () => {
        throw new Error('connected');
      },
      (error: unknown) => error as Error & { code?: string; number?: number },
    );

/** The texts Azure SQL refuses a login with, by number. */
const REFUSALS: [number, string, number][] = [
  // number, message, logins the server sees (tedious tries a login again 3 times for the numbers it knows)
  [40613, "Database 'goaudits' on server 'sql-goaudits' is not currently available.  Please retry the connection later.", 4],
  [40197, 'The service has encountered an error processing your request. Please try again. Error code 4815.', 4],
  [40501, 'The service is currently busy. Retry the request after 10 seconds. Incident ID: {8D0A}. Code: 40501.', 4],
  [4060, 'Cannot open database "goaudits" requested by the login. The login failed.', 4],
  [
    49918,
    'Cannot process request. Not enough resources to process request. The service is currently busy.Please retry the request later.',
    1,
  ],
];

describe('SQL Server errors as the driver raises them (no SQL Server)', () => {
  it.each(REFUSALS)(
    'a login refused with %i reaches the store as ELOGIN without its number, and is retried',
    async (number, message, logins) => {
      const server = await startLoginRefusingServer({ number, message });
      try {
        const error = await connectTo(server.port);
        expect(error).toMatchObject({ name: 'ConnectionError', code: 'ELOGIN', message });
        expect(error.number).toBeUndefined();
        expect(server.seen.logins).toBe(logins);
        expect(isTransientSqlServerError(error)).toBe(true);
      } finally {
        await server.close();
      }
    },
  );

  it('a wrong login (18456) and the firewall (40615) fail at once', async () => {
    const refusals = [
      { number: 18456, message: "Login failed for user 'goaudits-worker'." },
      {
        number: 40615,
        message:
          "Cannot open server 'sql-goaudits' requested by the login. Client with IP address '203.0.113.64' is not allowed to access the server.",
      },
    ];
    for (const refusal of refusals) {
      const server = await startLoginRefusingServer(refusal);
      try {
        const error = await connectTo(server.port);
        expect(error).toMatchObject({ code: 'ELOGIN' });
        expect(isTransientSqlServerError(error)).toBe(false);
      } finally {
        await server.close();
      }
    }
  });

  it('a server gone (connection refused) is ESOCKET, one that never answers ETIMEOUT: both retried', async () => {
    const closed = await startLoginRefusingServer({ number: 0, message: '' });
    await closed.close();
    const refused = await connectTo(closed.port);
    expect(refused).toMatchObject({ code: 'ESOCKET' });
    expect(isTransientSqlServerError(refused)).toBe(true);

    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const timedOut = await connectTo((silent.address() as { port: number }).port, 200);
      expect(timedOut).toMatchObject({ code: 'ETIMEOUT' });
      expect(isTransientSqlServerError(timedOut)).toBe(true);
    } finally {
      silent.close();
    }
  });
});
