/**
 * Keys compared the way SQL Server's usual collations compare them (Azure SQL's default,
 * SQL_Latin1_General_CP1_CI_AS, and the other `_CI_` ones): case does not count, nor do trailing
 * spaces. 'Q1', 'q1' and 'Q1 ' are one key there: a table's primary key refuses the second
 * (error 2627) and a lookup by one finds the row stored under another. Both stores apply this
 * one rule where keys are de-duplicated or matched, so they store and return the same rows.
 * Accents, widths and kana still count, as in a `_CI_AS` collation; the few other equalities a
 * collation knows are caught by the SQL Server statements themselves (see INSERT_NEW_ANSWERS).
 */
export function collationKey(key: string): string {
  return key.replace(/ +$/, '').toUpperCase();
}

/**
 * The first item for each key as the collation compares keys, in input order. An item whose key
 * is no text at all (a NULL, which the database refuses with its own error) is kept as it is.
 */
export function firstPerCollationKey<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key: unknown = keyOf(item);
    if (typeof key !== 'string') return true;
    if (seen.has(collationKey(key))) return false;
    seen.add(collationKey(key));
    return true;
  });
}

/**
 * Orders items by their keys as the collation orders them (ties by code units), so every writer
 * locks keys in one order. A key that is no text sorts first.
 */
export function inCollationOrder<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const order = (key: unknown) => (typeof key === 'string' ? ([collationKey(key), key] as const) : (['', ''] as const));
  return [...items].sort((a, b) => {
    const [ka, ta] = order(keyOf(a));
    const [kb, tb] = order(keyOf(b));
    return ka < kb ? -1 : ka > kb ? 1 : ta < tb ? -1 : ta > tb ? 1 : 0;
  });
}
