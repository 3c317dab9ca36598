import { dayAfter, ingestionStart, planWindows, splitWindow, utcDate } from './plan';

describe('planWindows', () => {
  test('one-day windows cover the range, both ends included', () => {
    expect(planWindows({ from: '2025-10-30', to: '2025-11-01', windowDays: 1 })).toEqual([
      { startDate: '2025-10-30', endDate: '2025-10-30' },
      { startDate: '2025-10-31', endDate: '2025-10-31' },
      { startDate: '2025-11-01', endDate: '2025-11-01' },
    ]);
  });

  test('the last window is cut at `to`', () => {
    expect(planWindows({ from: '2024-02-27', to: '2024-03-03', windowDays: 3 })).toEqual([
      { startDate: '2024-02-27', endDate: '2024-02-29' },
      { startDate: '2024-03-01', endDate: '2024-03-03' },
    ]);
  });

  test('a single day is one window', () => {
    expect(planWindows({ from: '2025-01-01', to: '2025-01-01', windowDays: 7 })).toHaveLength(1);
  });

  test('two years of days are 731 windows', () => {
    expect(planWindows({ from: '2024-01-01', to: '2025-12-31', windowDays: 1 })).toHaveLength(731);
  });

  test('bad ranges are refused with the reason', () => {
    expect(() => planWindows({ from: '2025-02-30', to: '2025-03-01', windowDays: 1 })).toThrow(/not a calendar date/);
    expect(() => planWindows({ from: '2025-03-02', to: '2025-03-01', windowDays: 1 })).toThrow(/after/);
    expect(() => planWindows({ from: '2025-03-01', to: '2025-03-01', windowDays: 0 })).toThrow(/windowDays/);
  });
});

describe('ingestionStart', () => {
  const today = '2025-11-20';
  test('an explicit from wins, even when older than the watermark', () => {
    expect(ingestionStart({ from: '2025-01-01', watermarkUtc: '2025-11-01T10:00:00Z', today })).toBe('2025-01-01');
  });
  test('else the watermark day, so its own second is read again', () => {
    expect(ingestionStart({ watermarkUtc: '2025-11-01T23:59:59Z', startDate: '2024-01-01', today })).toBe('2025-11-01');
  });
  test('else the configured start, else today', () => {
    expect(ingestionStart({ watermarkUtc: null, startDate: '2024-01-01', today })).toBe('2024-01-01');
    expect(ingestionStart({ watermarkUtc: null, today })).toBe(today);
  });
  test('an hourly run looks back the set days before today, when the watermark is later', () => {
    expect(ingestionStart({ watermarkUtc: '2025-11-20T09:00:00Z', today, lookbackDays: 1 })).toBe('2025-11-19');
    expect(ingestionStart({ watermarkUtc: '2025-11-20T09:00:00Z', today, lookbackDays: 0 })).toBe(today);
    expect(ingestionStart({ watermarkUtc: '2025-11-01T09:00:00Z', today, lookbackDays: 3 })).toBe('2025-11-01');
    expect(ingestionStart({ from: '2025-11-20', watermarkUtc: null, today, lookbackDays: 3 })).toBe('2025-11-20');
    expect(ingestionStart({ watermarkUtc: '2025-11-22T00:00:00Z', today, lookbackDays: 0 })).toBe('2025-11-22');
  });
  test('the lookback never reads before the configured first date', () => {
    expect(ingestionStart({ watermarkUtc: '2025-11-20T09:00:00Z', startDate: '2025-11-19', today, lookbackDays: 7 })).toBe('2025-11-19');
    expect(ingestionStart({ watermarkUtc: null, startDate: '2025-11-20', today, lookbackDays: 7 })).toBe(today);
  });
});

test('utcDate reads instants in UTC', () => {
  expect(utcDate('2025-11-01T23:30:00-02:00')).toBe('2025-11-02');
});

test('splitWindow halves a window, the first half taking the odd day, and stops at one day', () => {
  expect(splitWindow({ startDate: '2025-10-01', endDate: '2025-10-05' })).toEqual([
    { startDate: '2025-10-01', endDate: '2025-10-03' },
    { startDate: '2025-10-04', endDate: '2025-10-05' },
  ]);
  expect(splitWindow({ startDate: '2025-12-31', endDate: '2026-01-01' })).toEqual([
    { startDate: '2025-12-31', endDate: '2025-12-31' },
    { startDate: '2026-01-01', endDate: '2026-01-01' },
  ]);
  expect(splitWindow({ startDate: '2025-10-01', endDate: '2025-10-01' })).toBeUndefined();
});

test('dayAfter crosses months and leap days', () => {
  expect(dayAfter('2024-02-28')).toBe('2024-02-29');
  expect(dayAfter('2025-12-31')).toBe('2026-01-01');
});
