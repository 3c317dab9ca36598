import { Client, Connection } from '@temporalio/client';
import type { Environment } from '../worker/config';
import { temporalConnection, usesConfiguredTemporal } from '../worker/temporal-connection';

/** The embedded dev server's addresses, used when no Temporal is configured. */
export const EMBEDDED_TEMPORAL = { address: '127.0.0.1:7233', port: 7233, uiPort: 8233 };

export async function connectClient(env: Environment): Promise<Client> {
  const connection = await Connection.connect(
    usesConfiguredTemporal() ? temporalConnection().options : { address: EMBEDDED_TEMPORAL.address },
  );
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}

/** The Web UI page of a workflow (TEMPORAL_UI_URL for a deployed UI, else the dev server's). */
export function workflowLink(env: Environment, workflowId: string): string {
  const ui = process.env.TEMPORAL_UI_URL ?? `http://localhost:${EMBEDDED_TEMPORAL.uiPort}`;
  return `${ui}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;
}
