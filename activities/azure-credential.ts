import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

const credentials = new Map<string, TokenCredential>();

/**
 * The one Azure credential of this process, shared by Key Vault and SQL Server, so tokens are
 * fetched and cached once. With a client id (AZURE_CLIENT_ID): that user-assigned managed
 * identity and nothing else, as Microsoft advises for production (deterministic, no probing of
 * other sources). Without one: DefaultAzureCredential, for a developer's `az login` or a
 * system-assigned identity (AZURE_TOKEN_CREDENTIALS narrows its chain, e.g. to
 * `ManagedIdentityCredential`).
 */
export function azureCredential(clientId: string | undefined): TokenCredential {
  const key = clientId?.trim() ?? '';
  let credential = credentials.get(key);
  if (!credential) {
    credential = key ? new ManagedIdentityCredential({ clientId: key }) : new DefaultAzureCredential();
    credentials.set(key, credential);
  }
  return credential;
}
