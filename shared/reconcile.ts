/**
 * A reconcile's words, both sides of the workflow/activity boundary: the classes a stored or
 * listed report falls in when the tables are compared with GoAudits, their counts, and the rule
 * that calls a day `suspect`.
 */

/**
 * - `missing`: listed by GoAudits (eligible), not stored, whatever the ledger says;
 * - `stale`: stored, but its `Updated_On` or summary fingerprint differs from what GoAudits lists
 *   now (also when GoAudits lists it on a later day than the stored one: an edit moved it);
 * - `gone`: stored, and listed neither on its day nor on any later day up to today;
 * - `unenriched`: stored without answers and not quarantined, whatever the ledger says;
 * - `answersDiffer`: its details (answers, certificate) differ from the stored ones (details level).
 * A report in none of them is identical.
 */
export const DIFFERENCE_CLASSES = ['missing', 'stale', 'gone', 'unenriched', 'answersDiffer'] as const;
export type DifferenceClass = (typeof DIFFERENCE_CLASSES)[number];

export type ClassCounts = Record<DifferenceClass, number>;
export type ClassIds = Record<DifferenceClass, string[]>;

export const noDifferences = (): ClassCounts => ({ missing: 0, stale: 0, gone: 0, unenriched: 0, answersDiffer: 0 });
export const noIds = (): ClassIds => ({ missing: [], stale: [], gone: [], unenriched: [], answersDiffer: [] });

export function addClassCounts(total: ClassCounts, more: Partial<ClassCounts>): ClassCounts {
  const sum = { ...total };
  for (const name of DIFFERENCE_CLASSES) sum[name] += more[name] ?? 0;
  return sum;
}

export const differenceTotal = (counts: ClassCounts): number => DIFFERENCE_CLASSES.reduce((sum, name) => sum + counts[name], 0);

/** How many ids of each class a result, a progress answer or a cursor keeps: the first ones, by day then id. */
export const FIRST_IDS = 20;

/** Appends ids to each class's list, keeping the first `FIRST_IDS`. */
export function addFirstIds(total: ClassIds, more: Partial<ClassIds>): ClassIds {
  const sum = { ...total };
  for (const name of DIFFERENCE_CLASSES) sum[name] = [...total[name], ...(more[name] ?? [])].slice(0, FIRST_IDS);
  return sum;
}

/** The details checked per day: a sample of this many reports of the day, or all of them. */
export type DetailsLevel = number | 'all';

/** What one day's check found: counts, the ids of each class, and the stored reports GoAudits did not list that day. */
export interface DayCheck {
  day: string;
  /** Reports GoAudits lists on the day (eligible, de-duplicated). */
  listed: number;
  /** Reports stored on the day (by CompletedAtUtc). */
  held: number;
  identical: number;
  /** `gone` is always 0 here: see `unlisted`. */
  counts: ClassCounts;
  /** The ids of each class: all of them when the check was asked for full lists (a repair), else the first FIRST_IDS. */
  ids: ClassIds;
  /** Stored on the day, not listed on it: `gone` unless GoAudits lists them on a later day. Always complete. */
  unlisted: string[];
  /** Listed on the day, stored on another (an edit moved them; `stale`): not gone from their stored day. Always complete. */
  listedElsewhere: string[];
  /** For the first `answersDiffer` reports: the first question keys that differ (`certificate` for the certificate number). */
  differingKeys: Record<string, string[]>;
  summaryCalls: number;
  detailsCalls: number;
  /** Reports of the details sample left unchecked because another run held them (it is enriching them). */
  detailsBusy: number;
}

/** Fewest stored reports a day needs before it can be suspect. */
export const SUSPECT_MIN_HELD = 5;

/**
 * A day is `suspect` when at least SUSPECT_MIN_HELD reports are stored on it and more than half of
 * them would be `gone`: GoAudits listing far fewer of a day's audits at once looks like a glitch of
 * its summary more than like a mass deletion. A suspect day's reports are never deleted.
 */
export function isSuspectDay(day: { held: number; gone: number }): boolean {
  return day.held >= SUSPECT_MIN_HELD && day.gone * 2 > day.held;
}
