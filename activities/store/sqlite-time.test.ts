import { fromSqliteUtc, toSqliteUtc } from './sqlite-time';

describe('SQLite time text', () => {
  it('stores ISO times as UTC text, whole seconds', () => {
    expect(toSqliteUtc('2025-01-02T03:04:05Z')).toBe('2025-01-02 03:04:05');
    expect(toSqliteUtc('2025-01-02T03:04:05.987Z')).toBe('2025-01-02 03:04:05');
    expect(toSqliteUtc('2025-01-02T03:04:05+01:00')).toBe('2025-01-02 02:04:05');
  });

  it('refuses times without a zone, which JavaScript would read as local time', () => {
    for (const text of ['2025-01-02T03:04:05', '2025-01-02 03:04:05', '2025-01-02', 'yesterday']) {
      expect(() => toSqliteUtc(text)).toThrow(RangeError);
    }
  });

  it('reads stored text back as ISO Z, including text written by hand', () => {
    expect(fromSqliteUtc('2025-01-02 03:04:05')).toBe('2025-01-02T03:04:05Z');
    expect(fromSqliteUtc('2025-01-02T03:04:05Z')).toBe('2025-01-02T03:04:05Z');
    expect(fromSqliteUtc('2025-01-02')).toBe('2025-01-02T00:00:00Z');
    expect(() => fromSqliteUtc('soon')).toThrow(RangeError);
  });
});
