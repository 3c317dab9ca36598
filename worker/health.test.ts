import { request } from 'undici';
import { ConfigError } from './config';
import { healthPort, startHealthServer, type HealthServer } from './health';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(ready: () => Promise<boolean>, readyTimeoutMs?: number): Promise<HealthServer> {
  server = await startHealthServer({ port: 0, host: '127.0.0.1', ready, readyTimeoutMs });
  return server;
}

async function get(path: string, method = 'GET') {
  const response = await request(`http://127.0.0.1:${server?.port}${path}`, { method: method as 'GET' });
  return { status: response.statusCode, type: response.headers['content-type'], body: await response.body.json() };
}

describe('healthPort', () => {
  it('is 8080 by default, the port given, and off at 0', () => {
    expect(healthPort({})).toBe(8080);
    expect(healthPort({ HEALTH_PORT: ' ' })).toBe(8080);
    expect(healthPort({ HEALTH_PORT: '9090' })).toBe(9090);
    expect(healthPort({ HEALTH_PORT: '0' })).toBeUndefined();
  });

  it.each(['http', '-1', '70000', '80.5'])('throws a ConfigError naming HEALTH_PORT for %j', (value) => {
    expect(() => healthPort({ HEALTH_PORT: value })).toThrow(ConfigError);
    expect(() => healthPort({ HEALTH_PORT: value })).toThrow('HEALTH_PORT: expected a port');
  });
});

describe('startHealthServer', () => {
  it('answers /healthz with 200 even while not ready', async () => {
    const ready = jest.fn(async () => false);
    await start(ready);
    await expect(get('/healthz')).resolves.toEqual({ status: 200, type: 'application/json', body: { status: 'alive' } });
    expect(ready).not.toHaveBeenCalled();
  });

  it('answers /readyz with 503 until ready() says true, then 200', async () => {
    let isReady = false;
    await start(async () => isReady);
    await expect(get('/readyz')).resolves.toMatchObject({ status: 503, body: { status: 'not ready' } });
    isReady = true;
    await expect(get('/readyz?probe=aca')).resolves.toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('answers 503 without the error when the check fails', async () => {
    await start(async () => {
      throw new Error('Login failed for user sa, password hunter2');
    });
    const answer = await get('/readyz');
    expect(answer).toEqual({ status: 503, type: 'application/json', body: { status: 'check failed' } });
  });

  it('answers 503 when the check takes longer than readyTimeoutMs', async () => {
    await start(() => new Promise<boolean>(() => {}), 50);
    await expect(get('/readyz')).resolves.toMatchObject({ status: 503, body: { status: 'check timed out' } });
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    await start(async () => true);
    await expect(get('/metrics')).resolves.toMatchObject({ status: 404 });
    await expect(get('/readyz', 'POST')).resolves.toMatchObject({ status: 405 });
  });
});
