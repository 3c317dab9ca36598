import { Client, Connection } from '@temporalio/client';
import { ConfigError, type Environment } from '../worker/config';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { temporalConnection, usesConfiguredTemporal } from '../worker/temporal-connection';
import { currentTracing } from '../worker/tracing';

/**
 * The embedded dev server's addresses, used when no Temporal is configured: ports 7233 and 8233,
 * or EMBEDDED_TEMPORAL_PORT and EMBEDDED_TEMPORAL_UI_PORT (for `npm start` and the client alike).
 */
export function embeddedTemporal(env: NodeJS.ProcessEnv = process.env): { address: string; port: number; uiPort: number } {
  const port = portOf(env, 'EMBEDDED_TEMPORAL_PORT', 7233);
  return { address: `127.0.0.1:${port}`, port, uiPort: portOf(env, 'EMBEDDED_TEMPORAL_UI_PORT', 8233) };
}

function portOf(env: NodeJS.ProcessEnv, name: string, unset: number): number {
  const value = env[name]?.trim();
  if (!value) return unset;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError(`${name}: a port (1..65535), not ${JSON.stringify(value)}`);
  return port;
}

export async function connectClient(env: Environment): Promise<Client> {
  const connection = await Connection.connect(
    usesConfiguredTemporal() ? temporalConnection().options : { address: embeddedTemporal().address },
  );
  // With tracing on, a run the client starts is traced from its start (its span's context goes in the workflow's headers).
  const interceptors = currentTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, interceptors });
}

/** The Web UI page of a workflow (TEMPORAL_UI_URL for a deployed UI, else the dev server's). */
export function workflowLink(env: Environment, workflowId: string): string {
  const ui = process.env.TEMPORAL_UI_URL ?? `http://localhost:${embeddedTemporal().uiPort}`;
  return `${ui}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;
}
