import { heartbeating } from './heartbeating';
import { callingGoAudits } from './failures';
import { normaliseSummary } from './goaudits/summary';
import { parseReportDetails } from './goaudits/details';
import type { GoAuditsClient } from './goaudits/client';
import type { CallLane, Sleep } from './goaudits/call-lane';
import type { LaneCaller } from '../shared/lane-caller';
import type { DeletedReport, Store } from './store/store';
import type { PipelineMetrics } from './pipeline-metrics';
import { classifyDay, detailsSample, differingKeys } from './reconcile-classes';
import type { Window } from '../shared/plan';
import { pacer } from '../shared/pace';
import { FIRST_IDS, noDifferences, type ClassCounts, type DayCheck, type DetailsLevel } from '../shared/reconcile';

export interface ReconcileDeps {
  store: Pick<
    Store,
    | 'heldReportsOn'
    | 'heldReports'
    | 'storedDetails'
    | 'claimForCheck'
    | 'releaseReports'
    | 'requestRefresh'
    | 'forgetLedgerOfMissing'
    | 'deleteGoneReport'
    | 'deletedReports'
  >;
  goaudits: Pick<GoAuditsClient, 'summary' | 'details'>;
  lane: CallLane;
  metrics: Pick<PipelineMetrics, 'reconciled'>;
}

/** Where a day's check is, heartbeated after each details call, so a retry goes on from there. */
interface CheckProgress {
  checked: number;
  differing: Record<string, string[]>;
  busy: number;
}

/** How long a details check holds its report: one call, with the lane's waits and retries. */
const CHECK_CLAIM_MS = 10 * 60_000;

/** Ids beyond the first FIRST_IDS are kept only when the caller asked for full lists (a repair needs them). */
const kept = (ids: string[], full: boolean) => (full ? ids : ids.slice(0, FIRST_IDS));

/**
 * A reconcile's side effects: read-only comparisons of a day's stored reports with GoAudits
 * (through the shared call lane), and the store's repairs it asks for. Results carry ids and
 * counts, never payloads.
 */
export function reconcileActivities({ store, goaudits, lane, metrics }: ReconcileDeps) {
  async function summaryOf(window: Window, signal: AbortSignal, sleep: Sleep, caller?: LaneCaller) {
    const body = await callingGoAudits(() => lane.call((state) => goaudits.summary(window, { signal, ...state }), sleep, caller));
    return callingGoAudits(async () => normaliseSummary(body).reports);
  }

  return {
    /**
     * One day of a reconcile: one summary call, normalised as ingestion does, compared with the
     * reports stored on the day (and with those listed ones stored on other days); then, at the
     * details level, one details call per report of the day's sample that is identical at summary
     * level, compared with its stored answers and certificate. A sampled report another run holds
     * (it is being enriched) is left out and counted `detailsBusy`; the checked one is held for the
     * length of its call, so no two details calls for one report run at once.
     */
    async checkDay(args: {
      runId: string;
      day: string;
      details: DetailsLevel;
      fullIds: boolean;
      callsPerSecond?: number;
      /** The run's place in the call lane: its priority and budget. */
      caller?: LaneCaller;
    }): Promise<DayCheck> {
      return heartbeating<CheckProgress, DayCheck>(async ({ signal, sleep, heartbeat, resumed }) => {
        const ownPace = pacer(() => args.callsPerSecond, sleep, Date.now());
        const listed = await summaryOf({ startDate: args.day, endDate: args.day }, signal, sleep, args.caller);
        const heldOnDay = await store.heldReportsOn({ from: args.day, to: args.day });
        const onDay = new Set(heldOnDay.map((report) => report.reportId.toLowerCase()));
        const elsewhere = listed.filter((report) => !onDay.has(report.id.toLowerCase())).map((report) => report.id);
        const { held } = elsewhere.length > 0 ? await store.heldReports(elsewhere) : { held: [] };
        const classes = classifyDay(args.day, listed, [...heldOnDay, ...held]);
        const sample = detailsSample(
          heldOnDay.map((report) => report.reportId),
          classes.identical,
          args.details,
        );
        const progress: CheckProgress = resumed ?? { checked: 0, differing: {}, busy: 0 };
        for (const reportId of sample.slice(progress.checked)) {
          const untilUtc = new Date(Date.now() + CHECK_CLAIM_MS).toISOString();
          const claimed = await store.claimForCheck({ reportIds: [reportId], runId: args.runId, untilUtc });
          if (claimed.length === 0) progress.busy++;
          else {
            try {
              await ownPace();
              const body = await callingGoAudits(() =>
                lane.call((state) => goaudits.details(reportId, { signal, ...state }), sleep, args.caller),
              );
              const { hasDetailRows, ...details } = await callingGoAudits(async () => parseReportDetails(reportId, body));
              const stored = hasDetailRows ? await store.storedDetails(reportId) : null;
              const keys = stored ? differingKeys(details, stored) : [];
              if (keys.length > 0) progress.differing[reportId] = keys;
            } finally {
              await store.releaseReports({ reportIds: claimed, runId: args.runId });
            }
          }
          progress.checked++;
          heartbeat(progress);
        }
        const answersDiffer = Object.keys(progress.differing).sort();
        return {
          day: args.day,
          listed: listed.length,
          held: heldOnDay.length,
          identical: classes.identical.length - answersDiffer.length,
          counts: {
            ...noDifferences(),
            missing: classes.missing.length,
            stale: classes.stale.length,
            unenriched: classes.unenriched.length,
            answersDiffer: answersDiffer.length,
          },
          ids: {
            missing: kept(classes.missing, args.fullIds),
            stale: kept(classes.stale, args.fullIds),
            gone: [],
            unenriched: kept(classes.unenriched, args.fullIds),
            answersDiffer: kept(answersDiffer, args.fullIds),
          },
          unlisted: classes.unlisted,
          listedElsewhere: held.map((report) => report.reportId),
          differingKeys: Object.fromEntries(answersDiffer.slice(0, FIRST_IDS).map((id) => [id, progress.differing[id]])),
          summaryCalls: 1,
          detailsCalls: sample.length - progress.busy,
          detailsBusy: progress.busy,
        };
      });
    },

    /** Which of these reports GoAudits lists within the window (one summary call): a stored report it lists on a later day is not gone. */
    async listedIn(args: { window: Window; reportIds: string[]; caller?: LaneCaller }): Promise<string[]> {
      return heartbeating(async ({ signal, sleep }) => {
        const listed = new Set((await summaryOf(args.window, signal, sleep, args.caller)).map((report) => report.id.toLowerCase()));
        return args.reportIds.filter((id) => listed.has(id.toLowerCase()));
      });
    },

    /** Stored reports per day of the range (days without any left out), for a dry run's cost. */
    async storedPerDay(days: { from: string; to: string }): Promise<Record<string, number>> {
      const perDay: Record<string, number> = {};
      for (const report of await store.heldReportsOn(days)) {
        const day = report.completedAtUtc.slice(0, 10);
        perDay[day] = (perDay[day] ?? 0) + 1;
      }
      return perDay;
    },

    /** Stale, unenriched and differing reports become pending: the normal batches refresh them. */
    async requestRefresh(reportIds: string[]): Promise<number> {
      return reportIds.length === 0 ? 0 : store.requestRefresh(reportIds);
    },

    /** Ledger rows that claim a missing report go, so the day's next summary window stores it. */
    async forgetLedgerOfMissing(reportIds: string[]): Promise<number> {
      return reportIds.length === 0 ? 0 : store.forgetLedgerOfMissing(reportIds);
    },

    /**
     * Deletes reports gone from GoAudits, each in its own transaction (archived in
     * GoAuditsDeletedReports first; a retry finds its own deletions done). One another run holds,
     * or that is no longer stored, is left and named in `notDeleted`.
     */
    async deleteGoneReports(args: { reportIds: string[]; runId: string }): Promise<{ deleted: string[]; notDeleted: string[] }> {
      const deleted: string[] = [];
      const notDeleted: string[] = [];
      for (const reportId of args.reportIds) {
        if (await store.deleteGoneReport({ reportId, runId: args.runId })) deleted.push(reportId);
        else notDeleted.push(reportId);
      }
      return { deleted, notDeleted };
    },

    /** The reports reconciles deleted, latest first. */
    async deletedReports(limit: number): Promise<DeletedReport[]> {
      return store.deletedReports(limit);
    },

    /** Metrics of a reconcile that succeeded: the differences it left, by class, and the time. */
    async reconciled(remaining: ClassCounts): Promise<void> {
      metrics.reconciled(remaining);
    },
  };
}

export type ReconcileActivities = ReturnType<typeof reconcileActivities>;
