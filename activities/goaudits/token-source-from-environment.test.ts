import { DefaultAzureCredential } from '@azure/identity';
import type { KeyVaultTokenSourceOptions } from './keyvault-token-source';
import type { TokenSource } from './token-source';
import { tokenSourceFromEnvironment } from './token-source-from-environment';

const VAULT = 'https://kv-goaudits-test.vault.azure.net';
const fromVault: TokenSource = { token: async () => 'from-vault', invalidate() {} };

function opened(env: Record<string, string | undefined>) {
  const openKeyVault = jest.fn((_options: KeyVaultTokenSourceOptions) => fromVault);
  const source = tokenSourceFromEnvironment(env, openKeyVault);
  return { source, openKeyVault };
}

describe('tokenSourceFromEnvironment', () => {
  it('reads GOAUDITS_BEARER_TOKEN when KEYVAULT_URI is unset or blank', async () => {
    for (const KEYVAULT_URI of [undefined, '', '  ']) {
      const { source, openKeyVault } = opened({ KEYVAULT_URI, GOAUDITS_BEARER_TOKEN: 'from-env' });
      await expect(source.token()).resolves.toBe('from-env');
      expect(openKeyVault).not.toHaveBeenCalled();
    }
  });

  it('picks Key Vault when KEYVAULT_URI is set, with the default secret name', () => {
    const { source, openKeyVault } = opened({ KEYVAULT_URI: VAULT, GOAUDITS_BEARER_TOKEN: 'ignored' });
    expect(source).toBe(fromVault);
    expect(openKeyVault).toHaveBeenCalledWith({
      vaultUrl: VAULT,
      secretName: 'goaudits-bearer-token',
      credential: expect.any(DefaultAzureCredential),
    });
  });

  it.each([
    ['goaudits-token-2027', 'goaudits-token-2027'],
    ['  ', 'goaudits-bearer-token'],
  ])('takes the secret name from GOAUDITS_BEARER_SECRET_NAME %j', (name, expected) => {
    const { openKeyVault } = opened({ KEYVAULT_URI: ` ${VAULT} `, GOAUDITS_BEARER_SECRET_NAME: name });
    expect(openKeyVault.mock.calls[0]?.[0]).toMatchObject({ vaultUrl: VAULT, secretName: expected });
  });

  it.each([
    [{ KEYVAULT_URI: 'kv-goaudits-test' }, 'KEYVAULT_URI: expected the vault URL'],
    [{ KEYVAULT_URI: 'http://kv-goaudits-test.vault.azure.net' }, 'KEYVAULT_URI: expected the vault URL'],
    [
      { KEYVAULT_URI: VAULT, GOAUDITS_BEARER_SECRET_NAME: 'goaudits_token' },
      'GOAUDITS_BEARER_SECRET_NAME: expected a Key Vault secret name',
    ],
  ])('throws naming the variable for %j', (env, message) => {
    expect(() => opened(env)).toThrow(message);
  });
});
