import { z } from 'zod';
import { keyVaultTokenSource } from './keyvault-token-source';
import { azureCredential } from '../azure-credential';
import { environmentTokenSource, type TokenSource } from './token-source';
import { describeIssues } from '../../shared/zod-issues';

const DEFAULT_BEARER_SECRET_NAME = 'goaudits-bearer-token';

const keyVaultSchema = z.object({
  KEYVAULT_URI: z.url({ protocol: /^https$/, error: 'expected the vault URL, https://<name>.vault.azure.net' }),
  GOAUDITS_BEARER_SECRET_NAME: z.string().regex(/^[0-9A-Za-z-]{1,127}$/, 'expected a Key Vault secret name (letters, digits, dashes)'),
});

/**
 * Where the bearer token comes from: with KEYVAULT_URI set, the secret
 * GOAUDITS_BEARER_SECRET_NAME (default `goaudits-bearer-token`) in that vault, read with the
 * managed identity AZURE_CLIENT_ID; otherwise GOAUDITS_BEARER_TOKEN. Throws, naming the
 * variable, when one is malformed. Blank counts as unset.
 */
export function tokenSourceFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
  openKeyVault: typeof keyVaultTokenSource = keyVaultTokenSource,
): TokenSource {
  const vaultUrl = env.KEYVAULT_URI?.trim();
  if (!vaultUrl) return environmentTokenSource(env);
  const parsed = keyVaultSchema.safeParse({
    KEYVAULT_URI: vaultUrl,
    GOAUDITS_BEARER_SECRET_NAME: env.GOAUDITS_BEARER_SECRET_NAME?.trim() || DEFAULT_BEARER_SECRET_NAME,
  });
  if (!parsed.success) {
    throw new Error(`GoAudits bearer token: ${describeIssues(parsed.error)}`);
  }
  return openKeyVault({
    vaultUrl,
    secretName: parsed.data.GOAUDITS_BEARER_SECRET_NAME,
    credential: azureCredential(env.AZURE_CLIENT_ID),
  });
}
