import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './config';

export interface HealthServer {
  /** The port it listens on (useful when started on port 0). */
  port: number;
  close(): Promise<void>;
}

const portSchema = z.coerce.number().int().min(0).max(65_535).default(8080);

/** HEALTH_PORT (default 8080); `undefined` when it is 0, which turns the probes off. */
export function healthPort(env: Readonly<Record<string, string | undefined>> = process.env): number | undefined {
  const raw = env.HEALTH_PORT?.trim();
  const parsed = portSchema.safeParse(raw || undefined);
  if (!parsed.success) throw new ConfigError(`bad configuration: HEALTH_PORT: expected a port 0..65535 (0 turns the probes off)`);
  return parsed.data === 0 ? undefined : parsed.data;
}

type Readiness = 'ready' | 'not ready' | 'check failed' | 'check timed out';

/** Runs the readiness check, bounded by `timeoutMs` so a hung store cannot hang the probe. */
async function readiness(ready: () => Promise<boolean>, timeoutMs: number): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve('check timed out'), timeoutMs);
  });
  const checked = Promise.resolve()
    .then(ready)
    .then(
      (isReady): Readiness => (isReady ? 'ready' : 'not ready'),
      (): Readiness => 'check failed',
    );
  try {
    return await Promise.race([checked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The container probes (Azure Container Apps, compose): `GET /healthz` answers 200 while the
 * process runs (liveness); `GET /readyz` answers 200 only when `ready()` resolves true within
 * `readyTimeoutMs` (the workers RUNNING and the store answering), else 503 with the reason.
 * Bodies are small JSON, without errors or configuration. The server does not keep the
 * process alive on its own.
 */
export async function startHealthServer(args: {
  port: number;
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  host?: string;
}): Promise<HealthServer> {
  const { port, ready, readyTimeoutMs = 3000, host } = args;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://health').pathname;
    if (req.method !== 'GET') return reply(res, 405, { error: 'method not allowed' });
    if (path === '/healthz') return reply(res, 200, { status: 'alive' });
    if (path !== '/readyz') return reply(res, 404, { error: 'not found' });
    void readiness(ready, readyTimeoutMs).then((status) => reply(res, status === 'ready' ? 200 : 503, { status }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
