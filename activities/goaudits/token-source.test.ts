import { environmentTokenSource } from './token-source';

describe('environmentTokenSource', () => {
  it('reads GOAUDITS_BEARER_TOKEN, trimmed', async () => {
    await expect(environmentTokenSource({ GOAUDITS_BEARER_TOKEN: ' abc \n' }).token()).resolves.toBe('abc');
  });

  it('reads the variable again on each call', async () => {
    const env: Record<string, string | undefined> = { TOKEN: 'one' };
    const source = environmentTokenSource(env, 'TOKEN');
    await expect(source.token()).resolves.toBe('one');
    env.TOKEN = 'two';
    source.invalidate();
    await expect(source.token()).resolves.toBe('two');
  });

  it.each([undefined, '', '   '])('throws naming the variable when it is %j', async (value) => {
    await expect(environmentTokenSource({ MY_TOKEN: value }, 'MY_TOKEN').token()).rejects.toThrow(
      'environment variable MY_TOKEN is not set or is empty',
    );
  });
});
