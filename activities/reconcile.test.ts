import { MockActivityEnvironment } from '@temporalio/testing';
import { reconcileActivities, type ReconcileDeps } from './reconcile';
import type { HeldReport } from './store/store';
import type { ReportDetails } from './goaudits/records';
import { summaryFingerprint } from './goaudits/summary-fingerprint';
import type { DayCheck } from '../shared/reconcile';

const DAY = '2026-11-02';
const row = (id: string, at = `${DAY} 10:00:00`) => ({ ID: id, Updated_On: at, Status: 'Completed' });
const details = (answer: string) => [{ RecordType: 'Detail', QUESTION_ID: 'q1', Question: 'Q?', Answer: answer }];
const stored = (reportId: string, answer: string): ReportDetails => ({
  reportId,
  answers: [{ questionKey: 'q1', answerValue: answer, section: null, questionText: 'Q?' }],
  certificateNumber: null,
});
const held = (id: string, over: Partial<HeldReport> = {}): HeldReport => ({
  reportId: id,
  completedAtUtc: `${DAY}T10:00:00Z`,
  summaryFingerprint: summaryFingerprint([row(id)]),
  answers: 1,
  certificateNumber: null,
  quarantined: false,
  refreshRequested: false,
  ingestionLedger: true,
  enrichmentLedger: true,
  ...over,
});

/** The activities over fakes: GoAudits lists `listed` on the day and answers `answers`; the store holds `onDay` and `elsewhere`. */
function fakes(
  listed: object[],
  onDay: HeldReport[],
  elsewhere: HeldReport[],
  answers: Record<string, string>,
  claimedByOthers: string[] = [],
) {
  const detailsCalls: string[] = [];
  const released: string[] = [];
  const deps: ReconcileDeps = {
    store: {
      heldReportsOn: async () => onDay,
      heldReports: async (ids) => ({ held: elsewhere.filter((r) => ids.includes(r.reportId)), ledgerOnly: [] }),
      storedDetails: async (id) => stored(id, 'stored'),
      claimForCheck: async ({ reportIds }) => reportIds.filter((id) => !claimedByOthers.includes(id)),
      releaseReports: async ({ reportIds }) => void released.push(...reportIds),
      requestRefresh: async (ids) => ids.length,
      forgetLedgerOfMissing: async (ids) => ids.length,
      deleteGoneReport: async ({ reportId }) => reportId !== 'HELD',
      deletedReports: async () => [],
    },
    goaudits: {
      summary: async () => listed,
      details: async (id) => {
        detailsCalls.push(id);
        return details(answers[id]);
      },
    },
    lane: { call: (call) => call({ refusedToken: null }) },
    metrics: { reconciled: () => undefined },
  };
  return { activities: reconcileActivities(deps), detailsCalls, released };
}

describe('checkDay', () => {
  test('classes from one summary call, then a details call per sampled report identical at summary level, each claimed and released', async () => {
    const { activities, detailsCalls, released } = fakes(
      [row('SAME'), row('DIFF'), row('NEW'), row('MOVED', `${DAY} 12:00:00`), row('BUSY')],
      [held('SAME'), held('DIFF'), held('BUSY'), held('GONE')],
      [held('MOVED', { completedAtUtc: '2026-11-01T09:00:00Z' })],
      { SAME: 'stored', DIFF: 'changed' },
      ['BUSY'],
    );
    const check = await new MockActivityEnvironment().run(activities.checkDay, {
      runId: 'r1',
      day: DAY,
      details: 'all' as const,
      fullIds: true,
    });
    expect(check).toMatchObject({
      day: DAY,
      listed: 5,
      held: 4,
      // BUSY, left unchecked, counts as identical at summary level.
      identical: 2,
      counts: { missing: 1, stale: 1, gone: 0, unenriched: 0, answersDiffer: 1 },
      ids: { missing: ['NEW'], stale: ['MOVED'], gone: [], unenriched: [], answersDiffer: ['DIFF'] },
      unlisted: ['GONE'],
      listedElsewhere: ['MOVED'],
      differingKeys: { DIFF: ['q1'] },
      summaryCalls: 1,
      detailsCalls: 2,
      detailsBusy: 1,
    });
    expect(detailsCalls).toEqual(['DIFF', 'SAME']);
    expect(released).toEqual(['DIFF', 'SAME']);
  });

  test('a retry goes on after the last details check its attempt heartbeated', async () => {
    const { activities, detailsCalls } = fakes([row('A'), row('B'), row('C')], [held('A'), held('B'), held('C')], [], {
      A: 'changed',
      B: 'stored',
      C: 'changed',
    });
    const resumed = { checked: 1, differing: { A: ['q1'] }, busy: 0 };
    const environment = new MockActivityEnvironment({ heartbeatDetails: resumed });
    const input: Parameters<typeof activities.checkDay>[0] = { runId: 'r1', day: DAY, details: 'all', fullIds: false };
    const check = await environment.run<[typeof input], DayCheck, typeof activities.checkDay>(activities.checkDay, input);
    expect(detailsCalls).toEqual(['B', 'C']);
    expect(check.ids.answersDiffer).toEqual(['A', 'C']);
  });
});

test('gone reports are deleted one by one; one another run holds is named, not deleted', async () => {
  const { activities } = fakes([], [], [], {});
  await expect(activities.deleteGoneReports({ reportIds: ['G1', 'HELD', 'G2'], runId: 'r1' })).resolves.toEqual({
    deleted: ['G1', 'G2'],
    notDeleted: ['HELD'],
  });
});

test('listedIn names the reports GoAudits lists in the window, ids compared case aside', async () => {
  const { activities } = fakes([row('a1'), row('B2')], [], [], {});
  const listed = await new MockActivityEnvironment().run(activities.listedIn, {
    window: { startDate: DAY, endDate: DAY },
    reportIds: ['A1', 'b2', 'C3'],
  });
  expect(listed).toEqual(['A1', 'b2']);
});
