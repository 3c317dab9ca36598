import { Client, Connection } from '@temporalio/client';
import type { Environment } from '../worker/config';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { temporalConnection, usesConfiguredTemporal } from '../worker/temporal-connection';
import { currentTracing } from '../worker/tracing';

/** The embedded dev server's addresses, used when no Temporal is configured. */
export const EMBEDDED_TEMPORAL = { address: '127.0.0.1:7233', port: 7233, uiPort: 8233 };

export async function connectClient(env: Environment): Promise<Client> {
  const connection = await Connection.connect(
    usesConfiguredTemporal() ? temporalConnection().options : { address: EMBEDDED_TEMPORAL.address },
  );
  // With tracing on, a run the client starts is traced from its start (its span's context goes in the workflow's headers).
  const interceptors = currentTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, interceptors });
}

/** The Web UI page of a workflow (TEMPORAL_UI_URL for a deployed UI, else the dev server's). */
export function workflowLink(env: Environment, workflowId: string): string {
  const ui = process.env.TEMPORAL_UI_URL ?? `http://localhost:${EMBEDDED_TEMPORAL.uiPort}`;
  return `${ui}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;
}
