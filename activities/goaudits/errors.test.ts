import { errorForStatus, GoAuditsError, parseRetryAfter } from './errors';

const NOW = Date.parse('2025-01-01T12:00:00Z');

describe('errorForStatus', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [429, 'rate-limit'],
    [408, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [599, 'transient'],
    [400, 'bad-response'],
    [404, 'bad-response'],
    [422, 'bad-response'],
    [302, 'bad-response'],
  ])('classifies HTTP %i as %s', (status, kind) => {
    const error = errorForStatus('details', status, {}, undefined, NOW);
    expect(error).toBeInstanceOf(GoAuditsError);
    expect(error).toMatchObject({ kind, status, endpoint: 'details', name: 'GoAuditsError' });
    expect(error.message).toBe(`GoAudits details: HTTP ${status} (${kind})`);
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('reads Retry-After on 429', () => {
    const error = errorForStatus('summary', 429, { 'retry-after': '7' }, undefined, NOW);
    expect(error).toMatchObject({ kind: 'rate-limit', retryAfterMs: 7000 });
    expect(error.message).toBe('GoAudits summary: HTTP 429 (rate-limit, retry after 7000 ms)');
  });

  it('reads Retry-After on 503', () => {
    expect(errorForStatus('summary', 503, { 'retry-after': '2' }, undefined, NOW).retryAfterMs).toBe(2000);
  });

  it('ignores Retry-After on auth and bad-response errors', () => {
    expect(errorForStatus('summary', 401, { 'retry-after': '2' }, undefined, NOW).retryAfterMs).toBeUndefined();
    expect(errorForStatus('summary', 400, { 'retry-after': '2' }, undefined, NOW).retryAfterMs).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['delta-seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['padded delta-seconds', ' 3 ', 3000],
    ['an HTTP-date', 'Wed, 01 Jan 2025 12:00:30 GMT', 30_000],
    ['a past HTTP-date', 'Wed, 01 Jan 2025 11:00:00 GMT', 0],
    ['the first of several values', ['5', '9'], 5000],
  ])('reads %s', (_label, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['negative', '-3'],
    ['fractional', '1.5'],
    ['garbage', 'soon'],
  ])('is undefined when %s', (_label, value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('GoAuditsError', () => {
  it('names the endpoint and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const error = new GoAuditsError({ kind: 'transient', endpoint: 'summary', message: 'request failed', cause });
    expect(error.message).toBe('GoAudits summary: request failed');
    expect(error.cause).toBe(cause);
    expect(error.status).toBeUndefined();
    expect(error.retryAfterMs).toBeUndefined();
  });
});
