import type { HeldReport } from './store/store';
import type { Answer, ReportDetails, SummaryReport } from './goaudits/records';
import { CERTIFICATE_KEY, classifyDay, detailsSample, differingKeys, MOST_DIFFERING_KEYS } from './reconcile-classes';

const DAY = '2026-11-02';
const listed = (id: string, at = `${DAY}T10:00:00Z`, fingerprint = `fp-${id}`): SummaryReport => ({
  id,
  completedAtUtc: at,
  summaryFingerprint: fingerprint,
});
const held = (id: string, over: Partial<HeldReport> = {}): HeldReport => ({
  reportId: id,
  completedAtUtc: `${DAY}T10:00:00Z`,
  summaryFingerprint: `fp-${id}`,
  answers: 3,
  certificateNumber: 'C-1',
  quarantined: false,
  refreshRequested: false,
  ingestionLedger: true,
  enrichmentLedger: true,
  ...over,
});

describe('classifyDay', () => {
  test('each listed or stored report falls in one class', () => {
    const classes = classifyDay(
      DAY,
      [
        listed('SAME'),
        listed('NEW'),
        listed('EDITED', `${DAY}T11:00:00Z`),
        listed('SILENT', `${DAY}T10:00:00Z`, 'fp-other'),
        listed('EMPTY'),
        listed('OLDFP', `${DAY}T10:00:00Z`, 'fp-any'),
        listed('QUAR'),
        listed('MOVED', `${DAY}T09:00:00Z`),
      ],
      [
        held('SAME'),
        held('EDITED'),
        held('SILENT'),
        held('EMPTY', { answers: 0 }),
        held('OLDFP', { summaryFingerprint: null }),
        held('QUAR', { answers: 0, quarantined: true }),
        // Stored on an earlier day, listed today: an edit moved it.
        held('MOVED', { completedAtUtc: '2026-11-01T09:00:00Z' }),
        held('DELETED'),
      ],
    );
    expect(classes).toEqual({
      missing: ['NEW'],
      stale: ['EDITED', 'MOVED', 'SILENT'],
      unenriched: ['EMPTY'],
      unlisted: ['DELETED'],
      identical: ['OLDFP', 'QUAR', 'SAME'],
    });
  });

  test('a stored report without answers whose summary changed is stale (the refresh enriches it), never two classes', () => {
    const classes = classifyDay(DAY, [listed('A', `${DAY}T12:00:00Z`)], [held('A', { answers: 0 })]);
    expect(classes.stale).toEqual(['A']);
    expect(classes.unenriched).toEqual([]);
  });

  test('ids compare as SQL Server compares keys, case aside; a stored report of another day that is not listed is not unlisted here', () => {
    const classes = classifyDay(
      DAY,
      [listed('abc', `${DAY}T10:00:00Z`, 'fp-ABC')],
      [held('ABC'), held('OTHER', { completedAtUtc: '2026-11-05T01:00:00Z' })],
    );
    expect(classes).toMatchObject({ missing: [], identical: ['ABC'], unlisted: [] });
  });

  test('a day GoAudits lists nothing for leaves every stored report unlisted', () => {
    expect(classifyDay(DAY, [], [held('A'), held('B')]).unlisted).toEqual(['A', 'B']);
  });
});

describe('detailsSample', () => {
  const stored = Array.from({ length: 40 }, (_, i) => `R${String(i).padStart(3, '0')}`);

  test('the same N reports every time, whatever the order given; only those identical at summary level', () => {
    const sample = detailsSample(stored, stored, 5);
    expect(sample).toHaveLength(5);
    expect(detailsSample([...stored].reverse(), stored, 5)).toEqual(sample);
    expect(detailsSample(stored, stored, 6)).toEqual(expect.arrayContaining(sample));
    expect(detailsSample(stored, sample.slice(1), 5)).toEqual(sample.slice(1));
  });

  test('all: every identical report of the day', () => {
    expect(detailsSample(stored, stored.slice(0, 7), 'all')).toEqual(stored.slice(0, 7));
    expect(detailsSample(stored, stored, 0)).toEqual([]);
  });
});

describe('differingKeys', () => {
  const answer = (questionKey: string, answerValue: string | null, over: Partial<Answer> = {}): Answer => ({
    questionKey,
    answerValue,
    section: 'S',
    questionText: `Q ${questionKey}`,
    ...over,
  });
  const details = (answers: Answer[], certificateNumber: string | null = 'C-1'): ReportDetails => ({
    reportId: 'R',
    answers,
    certificateNumber,
  });

  test('identical details, in any order: nothing differs', () => {
    expect(differingKeys(details([answer('2', 'x'), answer('1', 'C-1')]), details([answer('1', 'C-1'), answer('2', 'x')]))).toEqual([]);
  });

  test('changed, added and removed questions and a changed certificate are named, certificate first, in key order', () => {
    const theirs = details([answer('1', 'C-2'), answer('a', 'new'), answer('b', 'same'), answer('c', 'x', { section: 'T' })], 'C-2');
    const ours = details([answer('1', 'C-1'), answer('b', 'same'), answer('c', 'x'), answer('d', 'gone')], 'C-1');
    expect(differingKeys(theirs, ours)).toEqual([CERTIFICATE_KEY, '1', 'a', 'c', 'd']);
  });

  test('a blank certificate in GoAudits keeps the stored number (as enrichment does): no difference', () => {
    expect(differingKeys(details([answer('2', 'x')], null), details([answer('2', 'x')], 'C-1'))).toEqual([]);
  });

  test(`at most ${MOST_DIFFERING_KEYS} keys are named`, () => {
    const many = Array.from({ length: 9 }, (_, i) => answer(`k${i}`, 'x'));
    expect(differingKeys(details(many), details([]))).toHaveLength(MOST_DIFFERING_KEYS);
  });
});
