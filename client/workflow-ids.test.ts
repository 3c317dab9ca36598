import { timestampedId } from './workflow-ids';

test('a one-off run is named by what it is and when it started, in characters every id allows', () => {
  expect(timestampedId('goaudits-watermark', new Date('2026-11-27T10:00:00.123Z'))).toBe('goaudits-watermark-2026-11-27T10-00-00-123Z');
});
