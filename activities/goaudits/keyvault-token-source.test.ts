import { keyVaultTokenSource, type SecretReader } from './keyvault-token-source';

const VAULT = 'https://kv-goaudits-test.vault.azure.net';
const SECRET = 'goaudits-bearer-token';

/** A vault holding one secret; counts reads; `hold()` keeps the next reads pending until released. */
function fakeVault(initial: string | undefined) {
  let value = initial;
  let gate: Promise<void> | undefined;
  let release = () => {};
  const vault = {
    reads: 0,
    names: [] as string[],
    failWith: undefined as Error | undefined,
    set(next: string | undefined) {
      value = next;
    },
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release() {
      gate = undefined;
      release();
    },
    client: {
      async getSecret(name: string) {
        vault.reads += 1;
        vault.names.push(name);
        const seen = value;
        if (gate) await gate;
        if (vault.failWith) throw vault.failWith;
        return { value: seen };
      },
    } satisfies SecretReader,
  };
  return vault;
}

function clock() {
  const time = { now: 1_000_000 };
  return { time, now: () => time.now };
}

function source(
  vault: ReturnType<typeof fakeVault>,
  now: () => number,
  cacheMs = 60_000,
  warn: (message: string) => void = () => undefined,
) {
  return keyVaultTokenSource({ vaultUrl: VAULT, secretName: SECRET, client: vault.client, cacheMs, now, warn });
}

describe('keyVaultTokenSource', () => {
  it('reads the named secret, trimmed, and serves it from memory while fresh', async () => {
    const vault = fakeVault(' token-one \n');
    const { now } = clock();
    const tokens = source(vault, now);
    await expect(tokens.token()).resolves.toBe('token-one');
    await expect(tokens.token()).resolves.toBe('token-one');
    expect(vault.reads).toBe(1);
    expect(vault.names).toEqual([SECRET]);
  });

  it('reads again once the cache time has passed', async () => {
    const vault = fakeVault('token-one');
    const { time, now } = clock();
    const tokens = source(vault, now, 60_000);
    await tokens.token();
    vault.set('token-two');
    time.now += 59_999;
    await expect(tokens.token()).resolves.toBe('token-one');
    time.now += 1;
    await expect(tokens.token()).resolves.toBe('token-two');
    expect(vault.reads).toBe(2);
  });

  it('shares one read among concurrent calls', async () => {
    const vault = fakeVault('token-one');
    const { now } = clock();
    const tokens = source(vault, now);
    vault.hold();
    const calls = [tokens.token(), tokens.token(), tokens.token()];
    vault.release();
    await expect(Promise.all(calls)).resolves.toEqual(['token-one', 'token-one', 'token-one']);
    expect(vault.reads).toBe(1);
  });

  it('reads the vault again after invalidate, so a rotated secret is picked up at once', async () => {
    const vault = fakeVault('refused-token');
    const { now } = clock();
    const tokens = source(vault, now);
    await tokens.token();
    vault.set('rotated-token');
    tokens.invalidate();
    await expect(tokens.token()).resolves.toBe('rotated-token');
    await expect(tokens.token()).resolves.toBe('rotated-token');
    expect(vault.reads).toBe(2);
  });

  it('does not cache a refused value: each call looks again until the secret is rotated', async () => {
    const vault = fakeVault('refused-token');
    const { now } = clock();
    const tokens = source(vault, now);
    await tokens.token();
    tokens.invalidate();
    await expect(tokens.token()).resolves.toBe('refused-token');
    await expect(tokens.token()).resolves.toBe('refused-token');
    expect(vault.reads).toBe(3);

    vault.set('rotated-token');
    await expect(tokens.token()).resolves.toBe('rotated-token');
    await expect(tokens.token()).resolves.toBe('rotated-token');
    expect(vault.reads).toBe(4);
  });

  it('starts a fresh read after invalidate instead of joining one already under way', async () => {
    const vault = fakeVault('refused-token');
    const { time, now } = clock();
    const tokens = source(vault, now);
    await tokens.token();
    time.now += 60_000;
    vault.hold();
    const before = tokens.token(); // reads the vault while it still holds the old value
    tokens.invalidate();
    vault.set('rotated-token');
    const after = tokens.token();
    vault.release();
    await expect(before).resolves.toBe('refused-token');
    await expect(after).resolves.toBe('rotated-token');
    await expect(tokens.token()).resolves.toBe('rotated-token');
    expect(vault.reads).toBe(3);
  });

  it.each([undefined, '', '  \n'])('throws naming the vault and the secret when the value is %j', async (value) => {
    const tokens = source(fakeVault(value), clock().now);
    await expect(tokens.token()).rejects.toThrow(`GoAudits bearer token: secret ${SECRET} in Key Vault ${VAULT} has no value`);
  });

  it('names the vault and the secret when the read fails, and reads again on the next call', async () => {
    const vault = fakeVault('token-one');
    vault.failWith = new Error('Forbidden: caller lacks secrets/get');
    const tokens = source(vault, clock().now);
    await expect(tokens.token()).rejects.toThrow(
      `GoAudits bearer token: cannot read secret ${SECRET} in Key Vault ${VAULT}: Forbidden: caller lacks secrets/get`,
    );
    vault.failWith = undefined;
    await expect(tokens.token()).resolves.toBe('token-one');
    expect(vault.reads).toBe(2);
  });

  it('serves the last good value through a vault outage, with a warning, and tries the vault again a minute later', async () => {
    const vault = fakeVault('token-one');
    const { time, now } = clock();
    const warnings: string[] = [];
    const tokens = source(vault, now, 60_000, (message) => warnings.push(message));
    await expect(tokens.token()).resolves.toBe('token-one');
    time.now += 61_000;
    vault.failWith = new Error('503 Service Unavailable');
    await expect(tokens.token()).resolves.toBe('token-one');
    expect(warnings).toEqual([
      `GoAudits bearer token: cannot read secret ${SECRET} in Key Vault ${VAULT}: 503 Service Unavailable; serving the last value read, and trying the vault again in 60 s`,
    ]);
    expect(warnings.join()).not.toContain('token-one');
    await tokens.token();
    expect(vault.reads).toBe(2);
    time.now += 61_000;
    vault.failWith = undefined;
    vault.set('token-two');
    await expect(tokens.token()).resolves.toBe('token-two');
  });

  it('never serves a refused value through an outage: it fails until the vault answers', async () => {
    const vault = fakeVault('token-one');
    const tokens = source(vault, clock().now);
    await tokens.token();
    tokens.invalidate();
    vault.failWith = new Error('503 Service Unavailable');
    await expect(tokens.token()).rejects.toThrow(`cannot read secret ${SECRET} in Key Vault ${VAULT}: 503 Service Unavailable`);
  });
});
