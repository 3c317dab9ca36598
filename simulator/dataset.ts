/**
 * The simulated GoAudits account: audits generated deterministically from a seed, the raw rows
 * the API answers with, and the truth the pipeline must end up storing.
 */
import { z } from 'zod';
import { planJunkRows, junkCountFor, randomSecond, type JunkRow } from './junk';
import { planAudit, statusOf, type AuditPlan } from './plan';
import { createRandom, type Random } from './random';
import { detailsRowsOf, summaryRowsOf, type ApiRow } from './rows';
import { DAY_MS, dayOf, daySchema, floorToSecond, parseDay } from './time';
import { truthOf, type Truth } from './truth';
import { parseOrThrow } from './validate';

export type { TruthReport, Truth } from './truth';
export type { ApiRow } from './rows';

export const datasetSpecSchema = z
  .strictObject({
    /** How many audits to generate (all statuses). */
    reports: z.number().int().min(1).max(200_000),
    /** First day of `Updated_On`, UTC. */
    from: daySchema,
    /** Last day of `Updated_On`, UTC, inclusive. */
    to: daySchema,
    seed: z.number().int().default(1),
  })
  .refine((spec) => spec.from <= spec.to, { message: 'must not be before from', path: ['to'] });

export type DatasetSpec = z.input<typeof datasetSpecSchema>;

/** What a summary call selects: `Updated_On` dates in [startDate, endDate] and this status. */
export interface SummaryQuery {
  startDate: string;
  endDate: string;
  status: string;
}

export interface Dataset {
  /** The summary answer: every matching audit's rows (duplicates included) and the junk rows of those days. */
  summaryRows(query: SummaryQuery): ApiRow[];
  /** The details answer for an audit id; `[]` when unknown. */
  detailsRows(auditId: string): ApiRow[];
  /** One report per real Completed audit. */
  truth(): Truth;
  /**
   * Appends `count` Completed audits with the next ids: all at the second of `on` when a Date,
   * spread over the day when `YYYY-MM-DD`. Returns their ids.
   */
  addReports(count: number, on: Date | string): string[];
}

/**
 * Audits 0 and 1 sit on the range's first and last second; one audit in 25 shares the previous
 * audit's second; the rest are spread at random over the range.
 */
export function generateDataset(spec: DatasetSpec): Dataset {
  const { reports, from, to, seed } = parseOrThrow(datasetSpecSchema, spec, 'dataset');
  const random = createRandom(seed);
  const fromMs = parseDay(from) as number;
  const toMs = (parseDay(to) as number) + DAY_MS - 1000;
  const audits: AuditPlan[] = [];
  for (let index = 0; index < reports; index += 1) {
    const previous = audits[index - 1];
    const ms =
      index === 0 ? fromMs : index === 1 ? toMs : index % 25 === 24 && previous ? previous.updatedOnMs : randomSecond(fromMs, toMs, random);
    audits.push(planAudit(index, ms, statusOf(index), random));
  }
  const junk = planJunkRows(junkCountFor(reports), fromMs, toMs, random);
  return datasetOf(audits, junk, random);
}

function datasetOf(audits: AuditPlan[], junk: JunkRow[], random: Random): Dataset {
  const byId = new Map(audits.map((audit) => [audit.id, audit]));
  return {
    summaryRows: (query) => summaryRows(audits, junk, query),
    detailsRows: (auditId) => {
      const audit = byId.get(auditId);
      return audit ? detailsRowsOf(audit) : [];
    },
    truth: () => ({ reports: audits.filter((audit) => audit.status === 'Completed').map(truthOf) }),
    addReports: (count, on) => {
      parseOrThrow(z.number().int().min(0).max(100_000), count, 'report count');
      const added = Array.from({ length: count }, (_, k) =>
        planAudit(audits.length + k, addedInstant(on, random), 'Completed', random),
      );
      for (const audit of added) {
        audits.push(audit);
        byId.set(audit.id, audit);
      }
      return added.map((audit) => audit.id);
    },
  };
}

function addedInstant(on: Date | string, random: Random): number {
  if (on instanceof Date) return floorToSecond(on.getTime());
  parseOrThrow(daySchema, on, 'report day');
  const dayMs = parseDay(on) as number;
  return randomSecond(dayMs, dayMs + DAY_MS - 1000, random);
}

/** Matching rows ordered by day; within a day, audits by id, then junk. */
function summaryRows(audits: AuditPlan[], junk: JunkRow[], { startDate, endDate, status }: SummaryQuery): ApiRow[] {
  const inRange = (day: string): boolean => day >= startDate && day <= endDate;
  const auditEntries = audits
    .filter((audit) => audit.status === status && inRange(dayOf(audit.updatedOnMs)))
    .map((audit) => ({ day: dayOf(audit.updatedOnMs), rows: summaryRowsOf(audit) }));
  const junkEntries = junk
    .filter((entry) => entry.row.Status === status && inRange(entry.day))
    .map((entry) => ({ day: entry.day, rows: [{ ...entry.row }] }));
  return [...auditEntries, ...junkEntries]
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
    .flatMap((entry) => entry.rows);
}
