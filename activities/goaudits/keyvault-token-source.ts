import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { azureCredential } from '../azure-credential';
import type { TokenSource } from './token-source';

/** The one Key Vault call the token source makes; `SecretClient` has it, tests pass a fake. */
export interface SecretReader {
  getSecret(name: string): Promise<{ value?: string }>;
}

export interface KeyVaultTokenSourceOptions {
  /** The vault, e.g. `https://kv-goaudits-uks.vault.azure.net` (KEYVAULT_URI). */
  vaultUrl: string;
  /** The secret holding the bearer token (GOAUDITS_BEARER_SECRET_NAME). */
  secretName: string;
  /** Default: the process's one Azure credential (see azure-credential.ts). */
  credential?: TokenCredential;
  /** Default: a SecretClient over `vaultUrl` and `credential`. */
  client?: SecretReader;
  /** How long a value read is served without asking the vault again. */
  cacheMs?: number;
  now?: () => number;
  /** Where a vault outage is reported while the last good value is served (the worker's log). */
  warn?: (message: string) => void;
}

const DEFAULT_SECRET_CACHE_MS = 10 * 60_000;
/** While the vault cannot be read, how often it is tried again (the last good value is served meanwhile). */
const OUTAGE_RETRY_MS = 60_000;

/**
 * The GoAudits bearer token from a Key Vault secret. A value is served from memory for
 * `cacheMs`; concurrent calls share one read. After `invalidate()` (GoAudits refused the
 * token) the next call reads the vault again, and a value equal to the refused one is not
 * cached, so every later call looks again until the secret is rotated: a halted run resumes
 * once the new token is in the vault, without restarting the worker. When the vault cannot be
 * read (an outage, a throttled identity), the last good value is served, with a warning, and the
 * vault tried again every minute: GoAudits keeps working through a vault outage. A refused value
 * is never served that way. Errors name the vault and the secret, never the value.
 */
export function keyVaultTokenSource(options: KeyVaultTokenSourceOptions): TokenSource {
  const { vaultUrl, secretName, cacheMs = DEFAULT_SECRET_CACHE_MS, now = Date.now, warn = (message) => console.warn(message) } = options;
  const client = options.client ?? new SecretClient(vaultUrl, options.credential ?? azureCredential(undefined));
  const where = `secret ${secretName} in Key Vault ${vaultUrl}`;

  let cached: { value: string; readAt: number } | undefined;
  /** The value last handed out, and the one GoAudits refused (set by invalidate). */
  let served: string | undefined;
  let refused: string | undefined;
  let reading: Promise<string> | undefined;

  async function read(): Promise<string> {
    let secret: { value?: string };
    try {
      secret = await client.getSecret(secretName);
    } catch (cause) {
      const problem = `GoAudits bearer token: cannot read ${where}: ${cause instanceof Error ? cause.message : String(cause)}`;
      const lastGood = cached?.value;
      if (lastGood === undefined) throw new Error(problem, { cause });
      warn(`${problem}; serving the last value read, and trying the vault again in ${OUTAGE_RETRY_MS / 1000} s`);
      cached = { value: lastGood, readAt: now() - cacheMs + OUTAGE_RETRY_MS };
      return lastGood;
    }
    const value = secret.value?.trim();
    if (!value) throw new Error(`GoAudits bearer token: ${where} has no value`);
    if (value !== refused) {
      cached = { value, readAt: now() };
      refused = undefined;
    }
    return value;
  }

  return {
    async token() {
      if (cached && now() - cached.readAt < cacheMs) {
        served = cached.value;
        return served;
      }
      if (!reading) {
        const attempt = read().finally(() => {
          if (reading === attempt) reading = undefined;
        });
        reading = attempt;
      }
      served = await reading;
      return served;
    },
    invalidate() {
      refused = served;
      cached = undefined;
      // A read already under way may bring back the refused value: later calls start their own.
      reading = undefined;
    },
  };
}
