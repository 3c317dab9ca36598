import { apiCallOutcome } from './call-outcome';
import { errorForStatus, GoAuditsError } from './errors';

const failed = (kind: GoAuditsError['kind'], cause?: unknown) => new GoAuditsError({ kind, endpoint: 'details', message: 'x', cause });
const undiciError = (code: string) => Object.assign(new Error(code), { code });

test('statuses count as GoAudits sent them: 429 rate limited, 401/403 auth, gateway timeouts as timeouts', () => {
  expect(apiCallOutcome(errorForStatus('summary', 429, {}), false)).toBe('rate_limited');
  expect(apiCallOutcome(errorForStatus('summary', 401, {}), false)).toBe('auth');
  expect(apiCallOutcome(errorForStatus('summary', 403, {}), false)).toBe('auth');
  expect(apiCallOutcome(errorForStatus('details', 504, {}), false)).toBe('timeout');
  expect(apiCallOutcome(errorForStatus('details', 408, {}), false)).toBe('timeout');
  expect(apiCallOutcome(errorForStatus('details', 503, {}), false)).toBe('transient');
  expect(apiCallOutcome(errorForStatus('details', 404, {}), false)).toBe('bad_response');
});

test('our own timeouts are timeouts; other failures on the way are transient', () => {
  expect(apiCallOutcome(failed('transient', undiciError('UND_ERR_HEADERS_TIMEOUT')), false)).toBe('timeout');
  expect(apiCallOutcome(failed('transient', undiciError('UND_ERR_BODY_TIMEOUT')), false)).toBe('timeout');
  expect(apiCallOutcome(failed('transient', undiciError('ECONNREFUSED')), false)).toBe('transient');
  expect(apiCallOutcome(failed('bad-response'), false)).toBe('bad_response');
});

test('a request its cancelled activity aborted counts as cancelled, whatever error the abort gave', () => {
  expect(apiCallOutcome(failed('transient', undiciError('UND_ERR_ABORTED')), true)).toBe('cancelled');
  expect(apiCallOutcome(new Error('aborted'), true)).toBe('cancelled');
});
