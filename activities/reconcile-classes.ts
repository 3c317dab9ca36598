import { createHash } from 'node:crypto';
import type { DetailsLevel } from '../shared/reconcile';
import type { ReportDetails, SummaryReport } from './goaudits/records';
import type { HeldReport } from './store/store';

/** The summary-level classes of one day's reports; `gone` needs later days too, so those reports are `unlisted` here. */
export interface DayClasses {
  missing: string[];
  stale: string[];
  unenriched: string[];
  /** Stored on the day and not listed on it (`gone`, unless listed on a later day), by id. */
  unlisted: string[];
  /** Listed on the day and stored as listed, with answers (or quarantined): identical at summary level, by id. */
  identical: string[];
}

/** Report ids are compared as SQL Server's case-insensitive keys compare them (normaliseSummary keeps one spelling per id). */
const key = (id: string) => id.toLowerCase();

/**
 * Classifies one day: each report GoAudits lists on it (`listed`, its normalised summary) is
 * `missing` when not stored (on any day: `held` holds the day's stored reports and those listed
 * ids stored on other days), `stale` when stored with another `Updated_On` or summary fingerprint
 * (a report stored before fingerprints were kept has none and is compared by `Updated_On` only),
 * `unenriched` when stored without answers and not quarantined, else identical; a report stored on
 * the day that the day does not list is `unlisted`. One class per report, in that order.
 */
export function classifyDay(day: string, listed: readonly SummaryReport[], held: readonly HeldReport[]): DayClasses {
  const heldById = new Map(held.map((report) => [key(report.reportId), report]));
  const classes: DayClasses = { missing: [], stale: [], unenriched: [], unlisted: [], identical: [] };
  for (const report of listed) {
    const stored = heldById.get(key(report.id));
    if (!stored) classes.missing.push(report.id);
    else if (
      stored.completedAtUtc !== report.completedAtUtc ||
      (stored.summaryFingerprint !== null && stored.summaryFingerprint !== report.summaryFingerprint)
    )
      classes.stale.push(stored.reportId);
    else if (stored.answers === 0 && !stored.quarantined) classes.unenriched.push(stored.reportId);
    else classes.identical.push(stored.reportId);
  }
  const listedIds = new Set(listed.map((report) => key(report.id)));
  classes.unlisted = held
    .filter((report) => report.completedAtUtc.startsWith(day) && !listedIds.has(key(report.reportId)))
    .map((report) => report.reportId);
  for (const list of [classes.missing, classes.stale, classes.unenriched, classes.unlisted, classes.identical]) list.sort();
  return classes;
}

/** Where a report falls in every day's details sample: the first 8 bytes of sha256 of its id, as hex. */
const sampleRank = (reportId: string) => createHash('sha256').update(reportId).digest('hex').slice(0, 16);

/** The details sample, as the result states it. */
export function sampleRule(level: DetailsLevel): string {
  return level === 'all'
    ? 'details of every stored report of each day'
    : `details of the ${level} stored reports of each day with the lowest sha256(report id), those identical at summary level`;
}

/**
 * The reports of a day whose details are checked: of the day's stored reports, the `level` with
 * the lowest sample rank (the same ones at every reconcile), or all of them; of those, the ones
 * identical at summary level (the others are differences already). In id order.
 */
export function detailsSample(stored: readonly string[], identical: readonly string[], level: DetailsLevel): string[] {
  const chosen = level === 'all' ? stored : [...stored].sort((a, b) => (sampleRank(a) < sampleRank(b) ? -1 : 1)).slice(0, level);
  const same = new Set(identical.map(key));
  return chosen.filter((id) => same.has(key(id))).sort();
}

/** Most differing keys named per report. */
export const MOST_DIFFERING_KEYS = 5;

/** The key named when the certificate numbers differ. */
export const CERTIFICATE_KEY = 'certificate';

/**
 * The first question keys (in key order, at most MOST_DIFFERING_KEYS) whose answer, section or
 * question text differs between GoAudits' details, normalised as enrichment normalises them, and
 * the stored answers, a question present on one side only included; `certificate` first when
 * GoAudits gives a certificate number other than the stored one (a blank one keeps the stored
 * number, as enrichment does). Empty: identical.
 */
export function differingKeys(goAudits: ReportDetails, stored: ReportDetails): string[] {
  const byKey = (details: ReportDetails) => new Map(details.answers.map((answer) => [answer.questionKey, answer]));
  const theirs = byKey(goAudits);
  const ours = byKey(stored);
  const keys = [...new Set([...theirs.keys(), ...ours.keys()])].sort();
  const differ = keys.filter((questionKey) => {
    const a = theirs.get(questionKey);
    const b = ours.get(questionKey);
    return !a || !b || a.answerValue !== b.answerValue || a.section !== b.section || a.questionText !== b.questionText;
  });
  const certificate = goAudits.certificateNumber !== null && goAudits.certificateNumber !== stored.certificateNumber;
  return [...(certificate ? [CERTIFICATE_KEY] : []), ...differ].slice(0, MOST_DIFFERING_KEYS);
}
