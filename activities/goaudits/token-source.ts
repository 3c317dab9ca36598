/** Where the GoAudits bearer token comes from (an environment variable now, Key Vault later). */
export interface TokenSource {
  /** The current bearer token. */
  token(): Promise<string>;
  /** Forgets any cached token after an auth failure, so the next `token()` reads it again. */
  invalidate(): void;
}

/**
 * Reads the token from an environment variable on every call (so nothing is cached and
 * `invalidate` has nothing to forget). Throws, naming the variable, when it is unset or blank.
 */
export function environmentTokenSource(
  env: Readonly<Record<string, string | undefined>> = process.env,
  name = 'GOAUDITS_BEARER_TOKEN',
): TokenSource {
  return {
    async token() {
      const value = env[name]?.trim();
      if (!value) throw new Error(`GoAudits bearer token: environment variable ${name} is not set or is empty`);
      return value;
    },
    invalidate() {},
  };
}
