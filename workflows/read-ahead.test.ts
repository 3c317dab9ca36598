import { laterUtc, savedPrefix, windowsLeft, type WindowAhead } from './read-ahead';

const day = (d: string, saved: boolean, newestUtc: string | null = null): WindowAhead => ({
  window: { startDate: d, endDate: d },
  saved,
  newestUtc,
});

describe('the saved prefix the watermark may move over', () => {
  test('stops at the first window in flight, however many after it are saved', () => {
    const ahead = [
      day('2025-10-01', true, '2025-10-01T20:00:00Z'),
      day('2025-10-02', false),
      day('2025-10-03', true, '2025-10-03T09:00:00Z'),
    ];
    expect(savedPrefix(ahead)).toEqual({ count: 1, newestUtc: '2025-10-01T20:00:00Z' });
  });

  test('is empty while the oldest window is in flight', () => {
    expect(savedPrefix([day('2025-10-01', false), day('2025-10-02', true, '2025-10-02T01:00:00Z')])).toEqual({ count: 0, newestUtc: null });
    expect(savedPrefix([])).toEqual({ count: 0, newestUtc: null });
  });

  test('takes the newest of the saved windows; an empty window moves nothing', () => {
    const ahead = [
      day('2025-10-01', true, '2025-10-01T20:00:00Z'),
      day('2025-10-02', true, null),
      day('2025-10-03', true, '2025-10-03T00:00:05Z'),
    ];
    expect(savedPrefix(ahead)).toEqual({ count: 3, newestUtc: '2025-10-03T00:00:05Z' });
  });

  test('laterUtc', () => {
    expect(laterUtc(null, null)).toBeNull();
    expect(laterUtc('2025-10-01T00:00:00Z', null)).toBe('2025-10-01T00:00:00Z');
    expect(laterUtc('2025-10-01T00:00:00Z', '2025-10-02T00:00:00Z')).toBe('2025-10-02T00:00:00Z');
  });
});

describe('the windows still to start', () => {
  const cursor = { retryDays: ['2025-09-20', '2025-09-25'], next: '2025-10-01', to: '2025-10-05', windowDays: 2 };

  test('missed days first, then the range from the cursor', () => {
    expect(windowsLeft(cursor, 4)).toEqual([
      { startDate: '2025-09-20', endDate: '2025-09-20' },
      { startDate: '2025-09-25', endDate: '2025-09-25' },
      { startDate: '2025-10-01', endDate: '2025-10-02' },
      { startDate: '2025-10-03', endDate: '2025-10-04' },
    ]);
    expect(windowsLeft(cursor, 1)).toEqual([{ startDate: '2025-09-20', endDate: '2025-09-20' }]);
  });

  test('none past the range', () => {
    expect(windowsLeft({ ...cursor, retryDays: [], next: '2025-10-05' }, 3)).toEqual([{ startDate: '2025-10-05', endDate: '2025-10-05' }]);
    expect(windowsLeft({ ...cursor, retryDays: [], next: '2025-10-06' }, 3)).toEqual([]);
  });
});
