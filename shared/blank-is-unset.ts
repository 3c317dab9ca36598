/** An empty or blank environment variable counts as unset. */
export const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
