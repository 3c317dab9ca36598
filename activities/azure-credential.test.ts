import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { azureCredential } from './azure-credential';

describe('azureCredential', () => {
  it('is the named managed identity alone when a client id is given, one instance per process', () => {
    const first = azureCredential('00000000-0000-0000-0000-000000000001');
    expect(first).toBeInstanceOf(ManagedIdentityCredential);
    expect(azureCredential(' 00000000-0000-0000-0000-000000000001 ')).toBe(first);
    expect(azureCredential('00000000-0000-0000-0000-000000000002')).not.toBe(first);
  });

  it("is DefaultAzureCredential's chain without one (a developer's login, a system-assigned identity)", () => {
    expect(azureCredential(undefined)).toBeInstanceOf(DefaultAzureCredential);
    expect(azureCredential('  ')).toBe(azureCredential(undefined));
  });
});
